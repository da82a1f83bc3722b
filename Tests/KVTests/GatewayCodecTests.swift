import Formats
import KV
import Platform
import Testing

struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("/services/web/a", "L3NlcnZpY2VzL3dlYi9h"),
    ])
    func encodesAndDecodesRFC4648Vectors(_ plain: String, _ encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func roundTripsEveryByteValue() throws {
        let bytes = (0...255).map { UInt8($0) }
        for length in 0...bytes.count {
            #expect(try Base64.decode(Base64.encode(Array(bytes.prefix(length)))) == Array(bytes.prefix(length)))
        }
    }

    @Test(arguments: [
        ("!!!notbase64", 0), ("Zg", 2), ("Zg=", 3), ("Z===", 1), ("Zm9v=", 4), ("Zg==Zg==", 4), ("Zm 9v", 2),
    ])
    func rejectsMalformedInputNamingTheByteLikeGo(_ input: String, _ offset: Int) {
        #expect(throws: Base64Error(offset: offset)) { try Base64.decode(input) }
        #expect(Base64Error(offset: offset).description == "illegal base64 data at input byte \(offset)")
    }
}

struct GatewayDecodingTests {
    private func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func decodesRangeWithSnakeAndCamelCaseNames() throws {
        let (a, _) = try GatewayRequests.decodeRange(
            try json(#"{"key":"L2Ev","range_end":"L2Ew","limit":"2","keys_only":true,"revision":7}"#))
        let (b, _) = try GatewayRequests.decodeRange(
            try json(#"{"key":"L2Ev","rangeEnd":"L2Ew","limit":2,"keysOnly":true,"revision":"7"}"#))
        #expect(a == b)
        #expect(a == RangeRequest(.prefix("/a/"), revision: 7, limit: 2, keysOnly: true))
    }

    @Test(arguments: [
        (#"{}"#, "etcdserver: key is not provided"),
        (#"{"key":"!!"}"#, "illegal base64 data at input byte 0 (field \"key\")"),
        (#"{"key":"L2E=","bogus":1}"#, "unknown field \"bogus\" in etcdserverpb.RangeRequest"),
        (
            #"{"key":123}"#,
            "json: cannot unmarshal number into field \"key\" of type []byte in etcdserverpb.RangeRequest"
        ),
        (
            #"{"key":"L2E=","revision":"abc"}"#,
            "bad value for field \"revision\" in etcdserverpb.RangeRequest: abc is not an int64"
        ),
        (
            #"{"key":"L2E=","sort_order":"SIDEWAYS"}"#,
            "unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder"
        ),
        (#"[]"#, "json: cannot unmarshal array into Go value of type etcdserverpb.RangeRequest"),
        (#"{"key":"L2E=","limit":-1}"#, "etcdserver: limit must not be negative"),
    ])
    func rejectsBadRangeRequestsWithOneClearLine(_ body: String, _ message: String) throws {
        let value = try json(body)
        #expect(throws: GatewayError(.invalidArgument, message)) { try GatewayRequests.decodeRange(value) }
    }

    @Test func rejectsUnknownCompareTargetLikeEtcd() throws {
        let value = try json(#"{"compare":[{"key":"L2E=","target":"BOGUS"}]}"#)
        #expect(
            throws: GatewayError(
                .invalidArgument, "unknown value \"BOGUS\" for enum etcdserverpb.Compare_CompareTarget")
        ) {
            try GatewayRequests.decodeTxn(value)
        }
    }

    @Test func rejectsTransactionsNestedTooDeeply() throws {
        var body = #"{}"#
        for _ in 0..<20 { body = #"{"success":[{"request_txn":\#(body)}]}"# }
        let value = try json(body)
        #expect(throws: GatewayError(.invalidArgument, "etcdserver: transaction nested too deeply")) {
            try GatewayRequests.decodeTxn(value)
        }
    }

    @Test func txnSurvivesAnEncodeDecodeRoundTrip() throws {
        let txn = Txn(
            compare: [
                Compare(.key("/a"), .equal, .value(Array("v".utf8))), Compare(.key("/b"), .greater, .modRevision(3)),
                Compare(.prefix("/c/"), .less, .version(2)), Compare(.key("/d"), .notEqual, .createRevision(0)),
                Compare(.key("/e"), .equal, .lease(LeaseID(9))),
            ],
            success: [
                .put(PutRequest(key: Array("/a".utf8), value: Array("w".utf8), lease: LeaseID(5), prevKV: true)),
                .delete(DeleteRequest(.prefix("/x/"), prevKV: true)), .range(RangeRequest(.key("/a"), limit: 3)),
                .txn(Txn(success: [.delete(DeleteRequest(.key("/z")))])),
            ],
            failure: [.range(RangeRequest(KeyRange(start: Array("/".utf8), end: .unbounded), countOnly: true))])
        let decoded = try GatewayRequests.decodeTxn(try json(GatewayRequests.encode(txn).serialized))
        #expect(decoded == txn)
    }

    @Test func responsesSurviveAnEncodeDecodeRoundTrip() throws {
        let kv = KeyValue(
            key: Array("/a".utf8), value: [0, 255, 10], createRevision: 2, modRevision: 5, version: 3,
            lease: LeaseID(77))
        let result = TxnResult(
            succeeded: true,
            responses: [
                .range(RangeResult(kvs: [kv], count: 4, more: true, revision: 9)),
                .put(PutResult(revision: 9, prevKV: kv)), .delete(DeleteResult(revision: 9, deleted: 1, prevKVs: [kv])),
            ], revision: 9)
        let header = GatewayResponses.encode(ResponseHeader(clusterID: 1, memberID: 2, revision: 9, raftTerm: 1))
        let text = GatewayResponses.encode(result, header: header).serialized
        #expect(try GatewayResponses.decodeTxn(try json(text)) == result)
    }

    @Test func encodesEtcdShapesOmittingDefaults() {
        let header = GatewayResponses.encode(ResponseHeader(clusterID: 3, memberID: 4, revision: 8, raftTerm: 2))
        let empty = GatewayResponses.encode(RangeResult(kvs: [], count: 0, more: false, revision: 8), header: header)
        #expect(empty.serialized == #"{"header":{"cluster_id":"3","member_id":"4","revision":"8","raft_term":"2"}}"#)
        let event = WatchEvent(
            kind: .delete,
            kv: KeyValue(key: Array("/a".utf8), value: [], createRevision: 0, modRevision: 11, version: 0))
        #expect(
            GatewayResponses.encode(event).serialized == #"{"type":"DELETE","kv":{"key":"L2E=","mod_revision":"11"}}"#)
    }

    @Test func errorBodiesMatchEtcds() {
        let error = GatewayError(KVError.leaseNotFound(LeaseID(4)))
        #expect(error.httpStatus == 404)
        #expect(
            String(decoding: error.body, as: UTF8.self)
                == #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#
        )
        #expect(GatewayError(KVError.leaseExists(LeaseID(4))).httpStatus == 412)
        #expect(GatewayError(KVError.compacted(requested: 1, compactRevision: 3)).httpStatus == 400)
    }
}

struct KeyRangeTests {
    @Test func prefixEndIncrementsTheLastByteAndCarries() {
        #expect(KeyRange.prefixEnd(Array("/a/".utf8)) == Array("/a0".utf8))
        #expect(KeyRange.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(KeyRange.prefixEnd([0xff, 0xff]) == nil)
        #expect(KeyRange.prefix([0xff]).end == .unbounded)
    }

    @Test func containsUsesByteOrderNotStringOrder() {
        let range = KeyRange.prefix("/services/web/")
        #expect(range.contains(Array("/services/web/a/a@1".utf8)))
        #expect(!range.contains(Array("/services/web".utf8)))
        #expect(!range.contains(Array("/services/wec".utf8)))
        // "é" precomposed and decomposed are equal as Swift Strings but distinct keys in etcd.
        #expect(!KeyRange.key("/\u{e9}").contains(Array("/e\u{301}".utf8)))
    }

    @Test func wireFormRoundTrips() {
        for range in [KeyRange.key("/a"), .prefix("/a/"), KeyRange(start: Array("/a".utf8), end: .unbounded)] {
            #expect(KeyRange(key: range.start, rangeEnd: range.rangeEnd) == range)
        }
    }
}
