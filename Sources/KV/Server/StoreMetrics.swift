/// The store's `/metrics` page in Prometheus text format, with etcd's names where etcd has the same figure
/// (so existing dashboards keep working) and `switchboard_` names for the rest.
enum StoreMetrics {
    static func render(_ stats: StoreStats) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("etcd_server_has_leader", "gauge", "Whether a leader exists; an embedded store always leads.", "1")
        metric("etcd_debugging_mvcc_keys_total", "gauge", "Live keys.", "\(stats.keys)")
        metric("etcd_debugging_mvcc_current_revision", "gauge", "Current store revision.", "\(stats.revision)")
        metric(
            "etcd_debugging_mvcc_compact_revision", "gauge", "Revision of the last compaction.",
            "\(stats.compactRevision)")
        metric("etcd_debugging_mvcc_watcher_total", "gauge", "Open watch streams.", "\(stats.watchers)")
        metric("etcd_debugging_lease_granted_total", "gauge", "Leases granted and alive.", "\(stats.leases)")
        metric("switchboard_store_puts_total", "counter", "Keys written since start.", "\(stats.puts)")
        metric("switchboard_store_deletes_total", "counter", "Keys deleted since start.", "\(stats.deletes)")
        metric("switchboard_store_txns_total", "counter", "Transactions run since start.", "\(stats.txns)")
        metric(
            "switchboard_wal_fsyncs_total", "counter", "fdatasync calls of the write-ahead log.", "\(stats.walFsyncs)")
        metric(
            "switchboard_wal_fsync_seconds_total", "counter", "Seconds spent in fdatasync.", "\(stats.walFsyncSeconds)")
        metric("switchboard_wal_bytes_total", "counter", "Bytes appended to the write-ahead log.", "\(stats.walBytes)")
        metric(
            "switchboard_wal_records_total", "counter", "Records appended to the write-ahead log.",
            "\(stats.walRecords)")
        return out
    }
}
