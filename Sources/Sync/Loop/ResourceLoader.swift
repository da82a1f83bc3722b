import Foundation
import Platform

/// Loads the resources of a confdir, as confd's `getTemplateResources` does.
enum ResourceLoader {
    /// The resources that loaded and the errors of those that did not; a missing confdir is no resources
    /// (with a warning, as confd).
    static func load(_ configuration: SyncConfiguration, log: Log) -> (resources: [Resource], errors: [SyncError]) {
        guard FileManager.default.fileExists(atPath: configuration.confDirectory) else {
            log.warning(
                "cannot load template resources: confdir does not exist", ["confdir": configuration.confDirectory])
            return ([], [])
        }
        let files: [String]
        do {
            files = try ResourceDirectory.resourceFiles(in: configuration.resourceDirectory)
        } catch {
            return ([], [error])
        }
        if files.isEmpty { log.warning("found no template resources", ["dir": configuration.resourceDirectory]) }
        var resources: [Resource] = []
        var errors: [SyncError] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                errors.append(.resourceFile(path: file, reason: "cannot read the file"))
                continue
            }
            do {
                let (resource, warnings) = try Resource.parse(
                    String(decoding: data, as: UTF8.self), file: file,
                    templateDirectory: configuration.templateDirectory,
                    globalPrefix: configuration.prefix, keepStageFile: configuration.options.keepStageFile)
                for warning in warnings { log.warning("resource file", ["warning": warning]) }
                log.debug("found template resource", ["file": file])
                resources.append(resource)
            } catch {
                errors.append(error)
            }
        }
        return (resources, errors)
    }
}
