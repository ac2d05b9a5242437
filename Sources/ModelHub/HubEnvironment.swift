// Where things live, from environment variables, resolved the way huggingface_hub does it so the
// cache is shared with Python tools. Everything takes an explicit `[String: String]` so tests
// never touch the process environment.
//
//   HF cache (read, in order):  $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub,
//                               $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub
//   HF cache (write):           the first of those that is set (the last one as default)
//   token:                      $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN, then the file $HF_TOKEN_PATH,
//                               $HF_HOME/token, $XDG_CACHE_HOME/huggingface/token, ~/.cache/huggingface/token
//   endpoint:                   $HF_ENDPOINT or https://huggingface.co
//   ClipScope data:             $XDG_DATA_HOME/clipscope or ~/.local/share/clipscope
//   ClipScope models:           $CLIPSCOPE_MODELS_DIR or <data>/models
import FileIO
import Foundation

public struct HubEnvironment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    /// A set, non-empty variable.
    public func value(_ name: String) -> String? {
        guard let v = variables[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    public var home: URL {
        if let h = value("HOME") { return URL(fileURLWithPath: h, isDirectory: true) }
        return FileManager.default.homeDirectoryForCurrentUser
    }

    /// Expands a leading `~/` against $HOME.
    public func expand(_ path: String) -> URL {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home.appendingPathComponent(String(path.dropFirst(2))) }
        return URL(fileURLWithPath: path)
    }

    private var xdgCache: URL { value("XDG_CACHE_HOME").map(expand) ?? home.appendingPathComponent(".cache") }

    /// $HF_HOME, defaulting like huggingface_hub to $XDG_CACHE_HOME/huggingface.
    public var hfHome: URL { value("HF_HOME").map(expand) ?? xdgCache.appendingPathComponent("huggingface") }

    /// Every HF hub cache directory to search, most specific first, without duplicates.
    public var hfCacheCandidates: [URL] {
        var out: [URL] = []
        if let v = value("HF_HUB_CACHE") { out.append(expand(v)) }
        if let v = value("HUGGINGFACE_HUB_CACHE") { out.append(expand(v)) }
        if let v = value("HF_HOME") { out.append(expand(v).appendingPathComponent("hub")) }
        out.append(xdgCache.appendingPathComponent("huggingface/hub"))
        out.append(home.appendingPathComponent(".cache/huggingface/hub"))
        var seen = Set<String>()
        return out.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The cache a download writes to (the one huggingface_hub itself would use).
    public var hfCacheForWriting: URL { hfCacheCandidates[0] }

    public var endpoint: String {
        var e = value("HF_ENDPOINT") ?? "https://huggingface.co"
        while e.hasSuffix("/") { e.removeLast() }
        return e
    }

    /// HF_HUB_OFFLINE=1/true/yes/on (huggingface_hub's truthy values).
    public var isOffline: Bool {
        guard let v = value("HF_HUB_OFFLINE")?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(v)
    }

    /// Candidate token files, in the order they are read.
    public var tokenFiles: [URL] {
        var out: [URL] = []
        if let v = value("HF_TOKEN_PATH") { out.append(expand(v)) }
        out.append(hfHome.appendingPathComponent("token"))
        out.append(home.appendingPathComponent(".cache/huggingface/token"))
        return out
    }

    /// The access token, or nil. Never printed.
    public var token: String? {
        if let t = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") { return t }
        for file in tokenFiles {
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !t.isEmpty { return t }
            }
        }
        return nil
    }

    public var clipscopeDataDirectory: URL {
        if let v = value("XDG_DATA_HOME") { return expand(v).appendingPathComponent("clipscope", isDirectory: true) }
        return home.appendingPathComponent(".local/share/clipscope", isDirectory: true)
    }

    public var clipscopeModelsDirectory: URL {
        value("CLIPSCOPE_MODELS_DIR").map(expand) ?? clipscopeDataDirectory.appendingPathComponent("models", isDirectory: true)
    }
}

/// Small file-system helpers with errors that name the path.
enum FileSystem {
    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// True for a regular file, following symlinks (a dangling link is false).
    static func isFile(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// Size in bytes, following symlinks.
    static func fileSize(_ url: URL) throws -> UInt64 {
        var st = stat()
        guard stat(url.path, &st) == 0 else {
            throw ModelHubError.io("cannot stat \(url.path): \(String(cString: strerror(errno)))")
        }
        return UInt64(st.st_size)
    }

    /// Bytes available to an unprivileged user on the file system holding `dir`.
    static func freeBytes(_ dir: URL) -> UInt64? {
        var st = statvfs()
        guard statvfs(dir.path, &st) == 0 else { return nil }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize)
    }

    static func createDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ModelHubError.io("cannot create directory \(url.path): \(error.localizedDescription)")
        }
    }

    /// Writes via a temporary file in the same directory and rename(2): readers never see half a file.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        try createDirectory(url.deletingLastPathComponent())
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: tmp)
            try rename(tmp, to: url)
        } catch let e as ModelHubError {
            try? FileManager.default.removeItem(at: tmp); throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw ModelHubError.io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// rename(2): atomic, replaces a file (or an empty directory) at the destination.
    static func rename(_ from: URL, to: URL) throws {
        guard Foundation.rename(from.path, to.path) == 0 else {
            throw ModelHubError.io("cannot rename \(from.path) to \(to.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The target of a symlink, resolved to an absolute path; nil when `url` is not a link.
    static func symlinkTarget(_ url: URL) -> URL? {
        guard let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) else { return nil }
        if dest.hasPrefix("/") { return URL(fileURLWithPath: dest).standardizedFileURL }
        return url.deletingLastPathComponent().appendingPathComponent(dest).standardizedFileURL
    }
}
