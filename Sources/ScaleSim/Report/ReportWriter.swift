import Foundation

/// A failure to write reports, with the path that could not be written.
public struct ReportWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes a set of report files into a folder so that an interrupted or failed run never
/// leaves a half-written report and never destroys the previous one: every file is written
/// in full to a temporary name first, and only then renamed over the old one.
public enum ReportWriter {
    /// Writes `files` (name -> contents) into `directory`, creating it when needed.
    ///
    /// - Throws: `ReportWriteError`; the temporary files are removed and the old reports stay.
    public static func write(_ files: [(name: String, contents: String)], to directory: String) throws(ReportWriteError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(path: directory, reason: Self.reason(error))
        }
        let token = "\(ProcessInfo.processInfo.processIdentifier)"
        var written: [(temporary: String, final: String)] = []
        for file in files {
            let final = (directory as NSString).appendingPathComponent(file.name)
            let temporary = (directory as NSString).appendingPathComponent(".\(file.name).\(token).tmp")
            do {
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: temporary))
                written.append((temporary, final))
            } catch {
                try? manager.removeItem(atPath: temporary)
                for w in written { try? manager.removeItem(atPath: w.temporary) }
                throw ReportWriteError(path: final, reason: Self.reason(error))
            }
        }
        for w in written where rename(w.temporary, w.final) != 0 {
            let reason = String(cString: strerror(errno))
            for w in written { try? manager.removeItem(atPath: w.temporary) }
            throw ReportWriteError(path: w.final, reason: reason)
        }
    }

    private static func reason(_ error: Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}
