// Vectors do not depend on the thread count: the text and vision towers of the tiny fixture model give
// bit-identical embeddings for 1, 2, 3, 4, 8 and 16 compute threads, so caches filled by processes with
// different thread counts can be merged. minWork is pinned to 0 so even these tiny shapes are split (every
// row-wise kernel, RoPE, attention over (sequence, head) pairs, the packed text GEMMs). Both pins are
// task-local (RowSplit.$pinnedThreads through ClipEmbedder.threads, RowSplit.$minWork), so suites that
// run concurrently cannot change what this test measures. OpenBLAS's own thread count is process-wide
// (other suites' model loads change it meanwhile); that Gemm is equally independent of it is
// GemmThreadCountTests, and this test also sets it to 1 and to each count itself.
import ClipModel
import Foundation
import Kernels
import Testing
import TestSupport

@Suite struct ThreadCountTests {
    static let counts = [1, 2, 3, 4, 8, 16]

    @Test(arguments: ["f16", "f32"]) func textAndImageVectorsAreBitIdenticalForEveryThreadCount(dtype: String) throws {
        let weights = dtype == "f32" ? Fixtures.tiny("model.f32.safetensors") : Fixtures.tiny("model.safetensors")
        let model = try ClipEmbedder.load(directory: Fixtures.tiny, weights: weights, threads: 1)
        let texts = try Tiny.textIDs + Tiny.queryIDs
        let pixels = try Tiny.pixels
        func run(_ threads: Int) throws -> (text: [[Float]], image: [[Float]]) {
            model.threads = threads
            Gemm.setThreads(threads)
            return try RowSplit.$minWork.withValue(0) {
                (try model.textFeatures(tokenIDs: texts), try model.imageFeatures(pixelValues: pixels, count: 4))
            }
        }
        let one = try run(1)
        #expect(one.text.count == texts.count && one.image.count == 4)
        for n in Self.counts.dropFirst() {
            let got = try run(n)
            #expect(got.text == one.text, "\(dtype) text: \(n) threads differ from 1 by \(maxDiff(got.text, one.text))")
            #expect(got.image == one.image, "\(dtype) image: \(n) threads differ from 1 by \(maxDiff(got.image, one.image))")
        }
    }
}
