// A minimal HTTP/1.1 server on POSIX sockets for tests: 127.0.0.1, ephemeral port, one thread per
// connection, `Connection: close` after every answer. Bounded: it stops by itself after `lifetime`
// seconds or `maxConnections` connections, and on deinit/stop(). Answers can stall (to test
// timeouts) or cut the connection after some body bytes (to test resume).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Lower-cased names.
        public var headers: [String: String]
        /// The body announced by Content-Length (at most 16 MiB).
        public var body = Data()
    }

    public struct Response {
        public var status: Int
        public var headers: [(String, String)] = []
        public var body = Data()
        /// Close the connection after this many body bytes (Content-Length still announces them all).
        public var cutAfter: Int?
        /// Sleep this long before answering (or until the server stops).
        public var stall: TimeInterval = 0

        public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
            self.status = status; self.headers = headers; self.body = body
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var stopped = false
    private var log: [Request] = []
    private var connections = 0
    private let maxConnections: Int
    private let deadline: Date

    public var requests: [Request] { lock.lock(); defer { lock.unlock() }; return log }
    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    public init(maxConnections: Int = 200, lifetime: TimeInterval = 60, handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        self.maxConnections = maxConnections
        self.deadline = Date().addingTimeInterval(lifetime)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw ServerError("bind/listen: \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.port = UInt16(bigEndian: addr.sin_port)
        self.listener = fd
        let thread = Thread { [weak self] in self?.acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
    }

    private func acceptLoop() {
        while !isStopped {
            if Date() > deadline { stop(); return }
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready <= 0 { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            lock.lock()
            connections += 1
            let tooMany = connections > maxConnections
            lock.unlock()
            if tooMany { close(client); stop(); return }
            let t = Thread { [self] in serve(client) }
            t.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(fd) else { return }
        lock.lock(); log.append(request); lock.unlock()
        let response = handler(request)
        if response.stall > 0 {
            let until = Date().addingTimeInterval(response.stall)
            while Date() < until && !isStopped { usleep(20_000) }
            if isStopped { return }
        }
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        var names = Set<String>()
        for (k, v) in response.headers { head += "\(k): \(v)\r\n"; names.insert(k.lowercased()) }
        if !names.contains("content-length") { head += "Content-Length: \(response.body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        guard sendAll(fd, Data(head.utf8)) else { return }
        if request.method == "HEAD" { return }
        if let cut = response.cutAfter {
            _ = sendAll(fd, response.body.prefix(cut))
            usleep(50_000)
            return
        }
        _ = sendAll(fd, response.body)
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < 65536 {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            if let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
                let text = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                var lines = text.components(separatedBy: "\r\n")
                let first = lines.removeFirst().split(separator: " ")
                guard first.count >= 2 else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                var body = Data(buffer[end.upperBound...])
                let length = min(Int(headers["content-length"] ?? "") ?? 0, 16 << 20)
                while body.count < length {
                    let n = recv(fd, &chunk, chunk.count, 0)
                    if n <= 0 { return nil }
                    body.append(contentsOf: chunk[0..<n])
                }
                return Request(method: String(first[0]), path: String(first[1]), headers: headers, body: body.prefix(length))
            }
        }
        return nil
    }

    private func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    private func reason(_ status: Int) -> String {
        [200: "OK", 206: "Partial Content", 302: "Found", 307: "Temporary Redirect", 401: "Unauthorized", 429: "Too Many Requests", 503: "Service Unavailable",
         403: "Forbidden", 404: "Not Found", 416: "Range Not Satisfiable", 500: "Internal Server Error"][status] ?? "Status"
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
