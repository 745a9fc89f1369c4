import Foundation

extension Dataset {
    /// A classification dataset from an IDX image file and an IDX label file, as MNIST and
    /// Fashion-MNIST are distributed (each plain or gzip-compressed; see `IDXFile`).
    ///
    /// - The images are unsigned bytes (type `0x08`) of shape `[images, rows, columns]` (or
    ///   `[images, features]`); image `i` becomes row `i` of the features, its pixels in
    ///   row-major order, each `pixel / 255` as `Float`, so features lie in `[0, 1]`.
    /// - The labels are integers (type `0x08`, `0x09`, `0x0B` or `0x0C`) of shape `[images]`,
    ///   each `>= 0`; the class count is the largest label + 1.
    ///
    /// Both headers are read and checked (and the image and label counts compared) before any
    /// data is; nothing is returned unless both files are whole and consistent.
    ///
    /// - Parameters:
    ///   - images: The IDX file of images.
    ///   - labels: The IDX file of labels, one per image.
    ///   - name: The dataset's name; by default the images file's name.
    /// - Throws: the errors of `IDXFile.read(from:)`, and `VarianceKitError.malformedFile` naming
    ///   the file and the byte offset for images that are not unsigned bytes, a dimension count
    ///   other than 3 (or 2) for images or 1 for labels, no images, a negative label, or a label
    ///   count different from the image count.
    public static func idx(images: URL, labels: URL, name: String? = nil) throws -> Dataset {
        var imageReader = try IDXReader(path: images.path)
        var labelReader = try IDXReader(path: labels.path)
        guard imageReader.elementType == .unsignedByte else {
            throw VarianceKitError.malformedFile(
                path: images.path, location: imageReader.source.location(2),
                found: "image elements of type \(imageReader.elementType)", expected: "unsigned bytes (type 08), one per pixel")
        }
        guard imageReader.shape.count == 3 || imageReader.shape.count == 2 else {
            throw VarianceKitError.malformedFile(
                path: images.path, location: imageReader.source.location(3), found: "\(imageReader.shape.count) dimensions (\(IDXReader.shown(imageReader.shape)))",
                expected: "3 dimensions for images (count x rows x columns), or 2 (count x features)")
        }
        guard labelReader.shape.count == 1 else {
            throw VarianceKitError.malformedFile(
                path: labels.path, location: labelReader.source.location(3), found: "\(labelReader.shape.count) dimensions (\(IDXReader.shown(labelReader.shape)))",
                expected: "1 dimension for labels (count)")
        }
        let integerTypes: [IDXArray.ElementType] = [.unsignedByte, .signedByte, .int16, .int32]
        guard integerTypes.contains(labelReader.elementType) else {
            throw VarianceKitError.malformedFile(
                path: labels.path, location: labelReader.source.location(2),
                found: "label elements of type \(labelReader.elementType)", expected: "integers (type 08, 09, 0B or 0C)")
        }
        let imageCount = imageReader.shape[0]
        guard imageCount >= 1 else {
            throw VarianceKitError.malformedFile(
                path: images.path, location: imageReader.source.location(4), found: "0 images", expected: "at least one image")
        }
        guard labelReader.shape[0] == imageCount else {
            throw VarianceKitError.malformedFile(
                path: labels.path, location: labelReader.source.location(4), found: "\(labelReader.shape[0]) labels",
                expected: "\(imageCount) labels, one per image of \(images.path)")
        }
        let featureCount = imageReader.dataByteCount / imageCount
        // The pixels (1 byte each) and the features (4 bytes each); the header check bounded the pixels.
        let (required, overflow) = imageReader.dataByteCount.multipliedReportingOverflow(by: 1 + MemoryLayout<Float>.stride)
        guard !overflow else {
            throw VarianceKitError.malformedFile(
                path: images.path, location: imageReader.source.location(4), found: "\(IDXReader.shown(imageReader.shape)) pixels",
                expected: "images whose features fit in memory")
        }
        try MemoryBudget.require(required, for: "the \(imageCount) x \(featureCount) features of \(images.path)")
        let pixels = try imageReader.readData()
        let labelValues = IDXReader.decode(try labelReader.readData(), as: labelReader.elementType)
        let classLabels: [Int]
        switch labelValues {
        case .unsignedBytes(let values): classLabels = values.map(Int.init)
        case .signedBytes(let values): classLabels = values.map(Int.init)
        case .int16(let values): classLabels = values.map(Int.init)
        case .int32(let values): classLabels = values.map(Int.init)
        case .float32, .float64: preconditionFailure("label types were checked to be integers")
        }
        if let index = classLabels.firstIndex(where: { $0 < 0 }) {
            throw VarianceKitError.malformedFile(
                path: labels.path, location: labelReader.source.location(labelReader.dataOffset + index * labelReader.elementType.byteCount),
                found: "the label \(classLabels[index]) of image \(index)", expected: "a class label >= 0")
        }
        var features = try Matrix(rows: imageCount, columns: featureCount)
        features.withUnsafeMutableBufferPointer { target in
            for index in pixels.indices { target[index] = Float(pixels[index]) / 255 }
        }
        let classCount = (classLabels.max() ?? 0) + 1
        return try Dataset(name: name ?? images.lastPathComponent, features: features,
                           targets: .classes(labels: classLabels, classCount: classCount))
    }
}
