import Testing
import VarianceKit

@Suite struct RandomStreamTests {
    /// Every role of every network up to depth 10,000 (weights and biases of each layer) and every
    /// fixed role, plus the measurement streams a benchmark uses: no two share a stream.
    @Test func noTwoRolesShareAStreamUpToDepth10000() {
        var roles: [RandomStream] = [.readout, .input, .shuffle, .teacherInput, .split, .synthesis]
        roles += (0..<64).map { RandomStream.measurement($0) }
        for layer in 0..<10_000 { roles += [.weight(layer: layer), .bias(layer: layer)] }
        var owner: [UInt64: RandomStream] = [:]
        for role in roles {
            if let other = owner[role.id] {
                Issue.record("\(role) and \(other) share stream \(role.id)")
            }
            owner[role.id] = role
        }
        #expect(owner.count == roles.count)
    }

    /// The layout the documentation promises: layer streams `2 l`, `2 l + 1` (so networks keep
    /// their weights), fixed roles from `0xFFFF_FFFF_0000_0000`, and the two ranges apart even at
    /// the largest layer index.
    @Test func layoutIsTheDocumentedOne() {
        #expect(RandomStream.weight(layer: 0).id == 0)
        #expect(RandomStream.bias(layer: 0).id == 1)
        #expect(RandomStream.weight(layer: 7).id == 14)
        #expect(RandomStream.bias(layer: 7).id == 15)
        #expect(RandomStream.readout.id == 0xFFFF_FFFF_0000_0000)
        #expect(RandomStream.input.id == 0xFFFF_FFFF_0000_0001)
        let largestLayerStream = RandomStream.bias(layer: RandomStream.maximumLayerIndex - 1).id
        #expect(largestLayerStream == UInt64(1) << 63 - 1)
        #expect(largestLayerStream < RandomStream.readout.id)
        #expect(RandomStream.measurement(0).id > RandomStream.teacherInput.id)
    }

    /// A network draws layer l's weight from `RandomStream.weight(layer: l)` and the readout
    /// loss its matrix from `RandomStream.readout`.
    @Test func networkAndReadoutUseTheirRoles() throws {
        let network = try Network(widths: [5, 4, 3], activation: .tanh, initializer: .xavierNormal(), bias: false, seed: 11)
        for l in 0..<2 {
            var expected = try Matrix(rows: network.layers[l].outputs, columns: network.layers[l].inputs)
            try Initializer.xavierNormal().fillWeight(&expected, seed: 11, stream: RandomStream.weight(layer: l).id)
            #expect(network.layers[l].weight == expected)
        }
        var readout = try Matrix(rows: 6, columns: 3)
        try RandomFill.normal(&readout, seed: 4, stream: RandomStream.readout.id)
        #expect(try Loss.readoutMatrix(seed: 4, rows: 6, columns: 3) == readout)
    }
}
