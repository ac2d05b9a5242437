// One HTTP request over Foundation's URLSession (FoundationNetworking on Linux), synchronous, with
//   - no automatic redirects: the caller sees every 3xx (the hub's metadata headers are on the 302)
//     and decides which headers go to the next host;
//   - an idle watchdog: the request is cancelled when no byte arrived for `idleTimeout` seconds
//     (sub-second values work; URLSession's own timeouts are set far out of the way);
//   - the body streamed to a sink for 2xx answers (model files are large) and kept in memory,
//     truncated to 64 KiB, otherwise (error pages).
import FileIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct HTTPHead: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var url: URL

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

struct HTTPResult {
    var head: HTTPHead?
    /// Body of a non-2xx answer (≤ 64 KiB).
    var errorBody: Data
    /// Bytes handed to the sink.
    var bytesReceived: UInt64
    /// Transport failure (connection reset, refused, DNS…), nil when the exchange completed.
    var transportError: Error?
    var timedOut: Bool
    /// An error thrown by the sink (e.g. disk full); the transfer was cancelled.
    var sinkError: Error?
}

/// Same scheme, host and port: the only case where `Authorization` may be sent along.
func sameOrigin(_ a: URL, _ b: URL) -> Bool {
    func port(_ u: URL) -> Int? { u.port ?? (u.scheme?.lowercased() == "https" ? 443 : u.scheme?.lowercased() == "http" ? 80 : nil) }
    return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
}

final class HubHTTP: @unchecked Sendable {
    let idleTimeout: TimeInterval
    let userAgent: String

    init(idleTimeout: TimeInterval, userAgent: String = "clipscope/0.1 (swift; hub-compatible)") {
        self.idleTimeout = idleTimeout
        self.userAgent = userAgent
    }

    /// Performs `method url` with `headers`. `sink` receives the body of 2xx answers.
    func send(_ method: String, _ url: URL, headers: [String: String], body: Data? = nil,
              sink: ((Data) throws -> Void)? = nil) -> HTTPResult {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        request.timeoutInterval = 7 * 24 * 3600
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }

        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 7 * 24 * 3600
        config.timeoutIntervalForResource = 7 * 24 * 3600
        config.urlCache = nil
        config.httpCookieStorage = nil
        config.httpShouldSetCookies = false
        config.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        let delegate = TransferDelegate(sink: sink)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: delegate, delegateQueue: queue)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        delegate.touch()
        task.resume()

        var timedOut = false
        while delegate.done.wait(timeout: .now() + min(0.05, idleTimeout / 4)) == .timedOut {
            if delegate.idleSeconds() > idleTimeout {
                timedOut = true
                task.cancel()
                _ = delegate.done.wait(timeout: .now() + 5)
                break
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return delegate.result(timedOut: timedOut)
    }
}

private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let sink: ((Data) throws -> Void)?
    private var lastActivity = DispatchTime.now()
    private var head: HTTPHead?
    private var streaming = false
    private var errorBody = Data()
    private var received: UInt64 = 0
    private var transportError: Error?
    private var sinkError: Error?

    init(sink: ((Data) throws -> Void)?) { self.sink = sink }

    func touch() { lock.lock(); lastActivity = .now(); lock.unlock() }

    func idleSeconds() -> Double {
        lock.lock(); defer { lock.unlock() }
        return Double(DispatchTime.now().uptimeNanoseconds &- lastActivity.uptimeNanoseconds) / 1e9
    }

    func result(timedOut: Bool) -> HTTPResult {
        lock.lock(); defer { lock.unlock() }
        return HTTPResult(head: head, errorBody: errorBody, bytesReceived: received,
                          transportError: timedOut ? nil : transportError, timedOut: timedOut, sinkError: sinkError)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)   // the caller follows redirects itself
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        touch()
        if let http = response as? HTTPURLResponse {
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            lock.lock()
            head = HTTPHead(status: http.statusCode, headers: headers, url: http.url ?? response.url!)
            streaming = (200..<300).contains(http.statusCode) && sink != nil
            lock.unlock()
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        touch()
        lock.lock()
        let toSink = streaming && sinkError == nil
        if !toSink, errorBody.count < 65536 { errorBody.append(data.prefix(65536 - errorBody.count)) }
        lock.unlock()
        guard toSink, let sink else { return }
        do {
            try sink(data)
            lock.lock(); received += UInt64(data.count); lock.unlock()
        } catch {
            lock.lock(); sinkError = error; lock.unlock()
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock(); transportError = error; lock.unlock()
        done.signal()
    }
}
