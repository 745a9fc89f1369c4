import Foundation
import Testing

/// `initbench theory` end to end.
@Suite struct TheoryCommandTests {
    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try runInitbench(["theory", "--format", "json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// tanh with the conventional gain 5/3 (s_w^2 = 25/9) is chaotic; the edge of chaos without
    /// bias is s_w^2 = 1; linear layers' length map is q^l = s_w^2 q^{l-1} + s_b^2 exactly.
    @Test func tanhAndLinear() throws {
        let tanh = try json(["--activation", "tanh", "--weight-variance", "2.7777777777777777", "--depth", "5", "--critical-bias-variance", "0", "0.05"])
        #expect(tanh["schema"] as? String == "initbench.theory.v1")
        let analysis = try #require(tanh["analysis"] as? [String: Any])
        #expect(analysis["phase"] as? String == "chaotic")
        #expect(((analysis["chi1"] as? Double) ?? 0) > 1)
        let line = try #require(tanh["criticalLine"] as? [[String: Any]])
        let atZero = try #require(line.first { ($0["biasVariance"] as? Double) == 0 })
        #expect(abs((atZero["criticalWeightVariance"] as? Double ?? 0) - 1) < 1e-8)
        let placed = try #require(tanh["initializers"] as? [[String: Any]])
        let orthogonal = try #require(placed.first { $0["init"] as? String == "orthogonal" })
        #expect(abs((orthogonal["weightVariance"] as? Double ?? 0) - 25.0 / 9) < 1e-5)
        #expect(orthogonal["phase"] as? String == "chaotic")

        let linear = try json(["--activation", "linear", "--weight-variance", "0.5", "--bias-variance", "0.25",
                               "--input-variance", "2", "--depth", "3", "--critical-bias-variance", "0"])
        let layers = try #require(linear["layers"] as? [[String: Any]])
        var q = 2.0
        for layer in layers {
            q = 0.5 * q + 0.25
            #expect(abs((layer["preactivationVariance"] as? Double ?? .nan) - q) < 1e-12)
        }
        let linearAnalysis = try #require(linear["analysis"] as? [String: Any])
        #expect(abs((linearAnalysis["lengthFixedPoint"] as? Double ?? 0) - 0.5) < 1e-10)
    }

    /// At the critical point the depth scales are infinite: null in JSON, "inf" in the table.
    @Test func criticalPointTable() throws {
        let result = try runInitbench(["theory", "--activation", "tanh", "--weight-variance", "1", "--depth", "3", "--critical-bias-variance", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("phase critical"))
        #expect(result.stdout.contains("xi_c = inf"))
        let critical = try json(["--activation", "tanh", "--weight-variance", "1", "--depth", "3", "--critical-bias-variance", "0"])
        #expect((critical["analysis"] as? [String: Any])?["correlationDepthScale"] is NSNull)
        #expect(critical["verdict"] as? String == "withinDepthScale")
    }

    @Test(arguments: [
        ["--weight-variance", "0"], ["--weight-variance", "nan"], ["--bias-variance", "-1"],
        ["--activation", "relu6"], ["--depth", "0"], ["--initial-correlation", "2"],
        ["--critical-bias-variance", "-0.1"],
    ])
    func badInputExits64(arguments: [String]) throws {
        let result = try runInitbench(["theory"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
