// Errors of the model hub: every message names the model, file or URL and says what to do.
import FileIO
import Foundation

public enum ModelHubError: Error, CustomStringConvertible, Equatable {
    /// A `--model` value that matched nothing; `message` lists where ClipScope looked.
    case modelNotFound(String)
    /// A directory that is not a usable model (missing files).
    case invalidModelDirectory(String)
    /// Bad command-line value (malformed repo id, revision…).
    case invalidArgument(String)
    /// `HF_HUB_OFFLINE` forbids the network.
    case offline(String)
    /// The licence was not accepted (declined, or no TTY and no `--yes`).
    case licenceNotAccepted(String)
    /// HTTP status the hub answered with (401, 403, 404, 5xx…), already explained.
    case http(status: Int, message: String)
    /// Connection failure, stall or timeout after all retries.
    case network(String)
    /// Size or hash of a downloaded file does not match the hub's metadata; nothing was installed.
    case corrupted(String)
    /// The server's answer did not make sense (missing headers, bad Content-Range…).
    case protocolError(String)
    /// File-system failure.
    case io(String)
    /// A file that cannot be parsed (config.json, safetensors header, tokenizer.json).
    case badFile(String)

    public var description: String {
        switch self {
        case .modelNotFound(let m), .invalidModelDirectory(let m), .invalidArgument(let m), .offline(let m),
             .licenceNotAccepted(let m), .network(let m), .corrupted(let m), .protocolError(let m),
             .io(let m), .badFile(let m):
            return m
        case .http(_, let m):
            return m
        }
    }
}
