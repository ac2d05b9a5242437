// When and how long to wait before retrying an HTTP request; one definition for the model downloader
// and the Jina Embeddings API client.
//   retryable   429 (rate limited) and 5xx (server trouble); everything else is answered as it is
//   pause       the server's Retry-After when it gave one (at most 300 s), else base · 2^(attempt−1)
//               (at most 60 s), attempt counting from 1
import Foundation

public enum HTTPRetry {
    public static func isRetryable(status: Int) -> Bool { status == 429 || (500..<600).contains(status) }

    /// Seconds to wait before retry `attempt` (1-based).
    public static func delay(attempt: Int, base: TimeInterval, retryAfter: TimeInterval?) -> TimeInterval {
        retryAfter.map { min($0, 300) } ?? min(base * pow(2, Double(max(0, attempt - 1))), 60)
    }

    /// Retry-After as seconds (delta-seconds form; an HTTP date is read relative to now); nil if absent.
    public static func retryAfter(_ value: String?) -> TimeInterval? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Double(v), s.isFinite, s >= 0 { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: v).map { max(0, $0.timeIntervalSinceNow) }
    }
}
