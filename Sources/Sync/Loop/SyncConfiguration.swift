import Platform

/// Everything `router sync` was asked to do, after flags and `confd.toml` were read.
package struct SyncConfiguration: Sendable {
    /// How often and when resources are processed.
    package enum Mode: Sendable, Equatable {
        /// Process every resource once and exit (0, or 1 if any failed).
        case onetime
        /// Process every resource every interval (confd's default: 600 s).
        case interval(Duration)
        /// Watch each resource's keys and process on change.
        case watch
    }

    package var confDirectory: String
    /// `--prefix`: replaces every resource's own prefix when not empty.
    package var prefix = ""
    package var mode: Mode = .interval(.seconds(600))
    package var options = ProcessOptions()
    /// `--wait MIN:MAX`; see `Coalescer`.
    package var waitMinimum: Duration = .milliseconds(2)
    package var waitMaximum: Duration = .milliseconds(200)
    /// How often the store is probed in watch mode, to report an outage a quiet watch would hide.
    package var probeInterval: Duration = .seconds(1)
    /// Pause before reading again after a failed read.
    package var retryInterval: Duration = .seconds(1)

    package init(confDirectory: String) {
        self.confDirectory = confDirectory
    }

    package var resourceDirectory: String { GoPathJoin.join(confDirectory, "conf.d") }
    package var templateDirectory: String { GoPathJoin.join(confDirectory, "templates") }
}
