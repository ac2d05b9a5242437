// ClipScopeKit's tokenizer: the model's tokenizer.json (XLM-RoBERTa Unigram, as Hugging Face `tokenizers`
// runs it) for encode/decode. Ids are what the text tower reads; `<s>` = 0 and `</s>` = 2 frame a text.
import Foundation
import Tokenizer

/// The XLM-RoBERTa tokenizer of a jina-clip-v2 model: text → token ids → text.
///
/// Produces the same ids as Hugging Face `tokenizers` for the same `tokenizer.json`.
/// Get the one of a loaded model with ``CLIPEncoder/tokenizer``, or load a file directly.
public struct Tokenizer: Sendable {
    let core: UnigramTokenizer

    init(core: UnigramTokenizer) { self.core = core }

    /// Loads a `tokenizer.json` file.
    /// - Throws: `TokenizerError` naming the file and the problem.
    public init(contentsOf url: URL) throws {
        core = try UnigramTokenizer(contentsOf: url)
    }

    /// Number of ids the tokenizer can produce (the vocabulary and added tokens).
    public var vocabularySize: Int { core.vocabSize }

    /// Token ids of `text`.
    /// - Parameters:
    ///   - text: Any Unicode text.
    ///   - addSpecialTokens: Frame the ids with `<s>` … `</s>` as the model expects (default).
    ///   - maxLength: Keep at most this many ids, the special tokens included (the text is cut, `</s>` kept).
    public func encode(_ text: String, addSpecialTokens: Bool = true, maxLength: Int? = nil) -> [Int] {
        core.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxLength).ids.map(Int.init)
    }

    /// The token strings of `text` (vocabulary pieces, with `▁` marking a preceding space).
    public func tokenize(_ text: String, addSpecialTokens: Bool = true) -> [String] {
        core.encode(text, addSpecialTokens: addSpecialTokens).tokens
    }

    /// Text of token ids.
    /// - Parameters:
    ///   - ids: Token ids; ids outside the vocabulary are skipped.
    ///   - skipSpecialTokens: Leave out `<s>`, `</s>`, `<pad>` and the like (default).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        core.decode(ids.map { Int32(clamping: $0) }, skipSpecialTokens: skipSpecialTokens)
    }
}
