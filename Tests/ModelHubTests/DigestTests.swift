// SHA-256 and SHA-1 against the FIPS 180 example vectors, streaming vs one-shot at every split,
// and the fixture files against `sha256sum` / `git hash-object`.
import Foundation
import Testing
import TestSupport
@testable import ModelHub
import FileIO

@Suite struct DigestTests {
    static let msg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    static let msg896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

    @Test func sha256FIPSVectors() {
        #expect(SHA256.hash(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Data(Self.msg448.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hash(Data(Self.msg896.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hash(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha1FIPSVectors() {
        func sha1(_ s: String) -> String { var h = SHA1(); h.update(Data(s.utf8)); return h.hexDigest() }
        #expect(sha1("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(sha1(Self.msg448) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test func streamingEqualsOneShotAtEverySplit() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = SHA256.hash(Data(message))
        for split in 0...message.count {
            var h = SHA256()
            h.update(Array(message[..<split]))
            h.update(Array(message[split...]))
            #expect(h.hexDigest() == whole, "split \(split)")
            #expect(h.byteCount == 200)
        }
        // Byte by byte, and finalize does not disturb further updates.
        var h = SHA256()
        for (i, b) in message.enumerated() {
            h.update([b])
            if i == 99 { #expect(h.hexDigest() == SHA256.hash(Data(message[..<100]))) }
        }
        #expect(h.hexDigest() == whole)
    }

    @Test func fixtureFilesMatchSha256sumAndGitHashObject() throws {
        for (name, d) in FakeHub.digests {
            #expect(try SHA256.hash(fileAt: Fixtures.tiny(name)) == d.sha256, "\(name)")
            #expect(try GitBlobSHA1.hash(fileAt: Fixtures.tiny(name)) == d.git, "\(name)")
        }
    }

    @Test func missingFileIsAClearError() {
        let error = #expect(throws: SafeFileError.self) { try SHA256.hash(fileAt: URL(fileURLWithPath: "/nonexistent/x.bin")) }
        #expect(error?.description == "/nonexistent/x.bin: no such file")
    }
}
