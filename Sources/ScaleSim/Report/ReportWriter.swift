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
        try write(files, to: directory, writingWith: writeFile)
    }

    /// Writes `contents` to a new file at `path` (the real writer), with `write(2)` itself:
    /// Foundation's `Data.write` reports a full disk as "There isn't enough space", without
    /// the system's own words, which are the ones to search for.
    ///
    /// - Throws: `POSIXError` with the `errno` of the call that failed.
    static func writeFile(_ contents: Data, _ path: String) throws {
        func failure() -> POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure() }
        do {
            try writeAll(contents, to: descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw failure() }
    }

    /// Writes every byte of `contents` to an open file descriptor with `write(2)`, again after
    /// an interrupted or partial write.
    ///
    /// - Throws: `POSIXError` with the `errno` of the write that failed.
    public static func writeAll(_ contents: Data, to descriptor: Int32) throws(POSIXError) {
        var bytes = contents[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// `write(_:to:)` with the function that writes one temporary file given, so that tests can
    /// make it fail as a full disk does (after writing part of the file).
    static func write(_ files: [(name: String, contents: String)], to directory: String,
                      writingWith writeFile: (Data, String) throws -> Void) throws(ReportWriteError) {
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
                try writeFile(Data(file.contents.utf8), temporary)
                written.append((temporary, final))
            } catch {
                try? manager.removeItem(atPath: temporary)
                for w in written { try? manager.removeItem(atPath: w.temporary) }
                throw ReportWriteError(path: final, reason: Self.reason(error))
            }
        }
        // Keep every file about to be replaced under a second name (a hard link: nothing is
        // copied), so that a rename that fails half-way can put the whole old report back.
        var backups: [String: String] = [:]  // final -> backup
        func abandon(_ path: String, _ reason: String) -> ReportWriteError {
            for w in written { unlink(w.temporary) }
            for backup in backups.values { unlink(backup) }
            return ReportWriteError(path: path, reason: reason)
        }
        for w in written where manager.fileExists(atPath: w.final) {
            let backup = w.temporary + ".old"
            guard link(w.final, backup) == 0 else { throw abandon(w.final, String(cString: strerror(errno))) }
            backups[w.final] = backup
        }
        var replaced: [String] = []
        for w in written {
            guard rename(w.temporary, w.final) == 0 else {
                let reason = String(cString: strerror(errno))
                for final in replaced {
                    if let backup = backups.removeValue(forKey: final) { rename(backup, final) } else { unlink(final) }
                }
                throw abandon(w.final, reason)
            }
            replaced.append(w.final)
        }
        for backup in backups.values { unlink(backup) }
    }

    private static func reason(_ error: Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}
