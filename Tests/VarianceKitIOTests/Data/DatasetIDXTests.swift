import Foundation
import Testing
@testable import VarianceKit

/// `Dataset.idx(images:labels:)`: MNIST-shaped files written in the test.
@Suite struct DatasetIDXTests {
    /// 4 images of 2 x 3 pixels; pixel `p` of image `i` is `(i * 37 + p * 11) % 256`.
    static let imageCount = 4, rows = 2, columns = 3
    static let pixels: [UInt8] = (0 ..< imageCount * rows * columns).map { index in UInt8(pixel(index / (rows * columns), index % (rows * columns))) }

    /// Pixel `p` of image `i`, computed as the test expects it (values up to 255).
    static func pixel(_ i: Int, _ p: Int) -> Int {
        let shifted: Int = i * 37 + p * 11 + (i == 3 ? 200 : 0)
        return shifted % 256
    }
    static let images = idxBytes(type: 0x08, dimensions: [UInt32(imageCount), UInt32(rows), UInt32(columns)], payload: pixels)
    static let labelValues: [UInt8] = [3, 0, 7, 3]
    static let labels = idxBytes(type: 0x08, dimensions: [UInt32(imageCount)], payload: labelValues)

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func readsImagesAndLabels(compressImages: Bool, compressLabels: Bool) throws {
        let scratch = try ScratchDirectory()
        let imageURL = try scratch.write("train-images", compressImages ? HandMadeGzip.member(Self.images) : Self.images)
        let labelURL = try scratch.write("train-labels", compressLabels ? Gzip.compress(Self.labels) : Self.labels)
        let dataset = try Dataset.idx(images: imageURL, labels: labelURL)
        #expect(dataset.name == "train-images")
        #expect(dataset.sampleCount == 4 && dataset.featureCount == 6)
        #expect(dataset.labels == [3, 0, 7, 3])
        #expect(dataset.outputCount == 8)
        for i in 0..<Self.imageCount {
            for p in 0..<Self.rows * Self.columns {
                let pixel = Double(Self.pixel(i, p))
                #expect(abs(Double(dataset.features[i, p]) - pixel / 255) <= 1e-7, "image \(i), pixel \(p)")
            }
        }
    }

    @Test func mismatchedCountsNameTheLabelFile() throws {
        let scratch = try ScratchDirectory()
        let imageURL = try scratch.write("images", Self.images)
        let labelURL = try scratch.write("labels", idxBytes(type: 0x08, dimensions: [3], payload: [1, 2, 3]))
        let report = try #require(fileError { _ = try Dataset.idx(images: imageURL, labels: labelURL) })
        #expect(report.path == labelURL.path && report.location == "byte 4")
        #expect(report.found == "3 labels" && report.expected.contains("4 labels"))
    }

    @Test func wrongDimensionCountsAndTypesAreRefused() throws {
        let scratch = try ScratchDirectory()
        let imageURL = try scratch.write("images", Self.images)
        let labelURL = try scratch.write("labels", Self.labels)
        let flatImages = try scratch.write("flat", idxBytes(type: 0x08, dimensions: [24], payload: Self.pixels))
        let squareLabels = try scratch.write("square-labels", idxBytes(type: 0x08, dimensions: [2, 2], payload: Self.labelValues))
        let floatImages = try scratch.write("float-images", idxBytes(type: 0x0D, dimensions: [4, 1], payload: [UInt8](repeating: 0, count: 16)))
        let negativeLabels = try scratch.write("negative-labels", idxBytes(type: 0x09, dimensions: [4], payload: [1, 0xff, 2, 3]))
        let first = try #require(fileError { _ = try Dataset.idx(images: flatImages, labels: labelURL) })
        #expect(first.path == flatImages.path && first.location == "byte 3" && first.found.hasPrefix("1 dimensions"))
        let second = try #require(fileError { _ = try Dataset.idx(images: imageURL, labels: squareLabels) })
        #expect(second.path == squareLabels.path && second.location == "byte 3")
        let third = try #require(fileError { _ = try Dataset.idx(images: floatImages, labels: labelURL) })
        #expect(third.path == floatImages.path && third.location == "byte 2" && third.expected.contains("unsigned bytes"))
        let fourth = try #require(fileError { _ = try Dataset.idx(images: imageURL, labels: negativeLabels) })
        #expect(fourth.path == negativeLabels.path && fourth.location == "byte 9" && fourth.found.contains("-1"))
    }

    @Test func aBrokenFileLoadsNothing() throws {
        let scratch = try ScratchDirectory()
        let imageURL = try scratch.write("images", Array(Self.images.dropLast()))
        let labelURL = try scratch.write("labels", Self.labels)
        let report = try #require(fileError { _ = try Dataset.idx(images: imageURL, labels: labelURL) })
        #expect(report.path == imageURL.path && report.location == "byte \(Self.images.count - 1)")
        let goodImages = try scratch.write("good-images", Self.images)
        let missing = fileError(access: true) { _ = try Dataset.idx(images: goodImages, labels: scratch.file("nothing")) }
        #expect(missing?.path == scratch.file("nothing").path)
    }
}
