import Foundation
import VarianceKit

extension HTMLReport {
    static let phaseDiagramName = "phase-diagram.svg"

    /// The report's phase diagram: one panel per activation of the run (`PhaseDiagram.Resolution.report`,
    /// a coarse grid), its runs marked at their `s_w^2 = width Var(W)` and `s_b^2 = (bias std)^2`
    /// (the run's mean-field analysis), the boundary `6 xi_c = depth` drawn. The axes grow to
    /// hold the marks, up to `s_w^2 = 100` and `s_b^2 = 10`; marks beyond are drawn on the edge.
    static func phaseDiagram(_ report: PropagationDocument) throws -> SVGDocument {
        let config = report.config
        let biasVariance = config.bias ? config.biasStandardDeviation * config.biasStandardDeviation : 0
        var panels = [PhaseDiagram.Panel]()
        for name in config.activations {
            guard let activation = try? Activation.named(name) else { continue }
            let markers = report.runs.filter { $0.activation == name }.compactMap { run -> PhaseDiagram.Marker? in
                let weightVariance = run.meanField?.weightScale ?? run.weightVarianceTarget * Double(config.width)
                guard weightVariance.isFinite else { return nil }
                return PhaseDiagram.Marker(name: run.initializer, weightVariance: weightVariance,
                                           biasVariance: run.meanField?.biasVariance ?? biasVariance)
            }
            var resolution = PhaseDiagram.Resolution.report
            let widest = markers.map(\.weightVariance).max() ?? 0, highest = markers.map(\.biasVariance).max() ?? 0
            if widest > resolution.weightVariances.upperBound {
                resolution.weightVariances = resolution.weightVariances.lowerBound...min(1.2 * widest, 100)
            }
            if highest > resolution.biasVariances.upperBound {
                resolution.biasVariances = resolution.biasVariances.lowerBound...min(1.2 * highest, 10)
            }
            panels.append(try PhaseDiagram.panel(activation: activation, resolution: resolution, markers: markers))
        }
        return PhaseDiagram.svg(panels, depth: config.depth, title: "Mean-field phase diagram: where the schemes sit (depth \(config.depth))")
    }

    /// The report's section for `figure`.
    static func phaseDiagramSection(_ report: PropagationDocument, _ figure: SVGDocument) -> String {
        let depth = report.config.depth
        return """
        <h2>Phase diagram (mean-field theory)</h2>
        <figure>
        \(figure.element)
        <figcaption>Mean-field theory of a wide network with weights of variance s<sub>w</sub><sup>2</sup>/fan-in and
        biases of variance s<sub>b</sub><sup>2</sup> (Poole et al. 2016; Schoenholz et al. 2017). The black line is the
        edge of chaos &chi;<sub>1</sub> = 1: to its left (ordered) inputs become alike and gradients vanish, to its right
        (chaotic) they decorrelate and gradients explode. The colour is the correlation depth scale &xi;<sub>c</sub>,
        the number of layers over which signals still tell inputs apart; it is infinite on the edge. A network of depth L
        trains only where L &le; 6 &xi;<sub>c</sub>: the band between the dashed lines 6 &xi;<sub>c</sub> = \(depth)
        around the edge (where only one shows, the other lies off the axes). Circles mark this run's schemes at
        s<sub>w</sub><sup>2</sup> = width &times; Var(W) and s<sub>b</sub><sup>2</sup> = (bias std)<sup>2</sup>.
        Grid: \(PhaseDiagram.Resolution.report.columns) &times; \(PhaseDiagram.Resolution.report.rows) points, the edge
        at \(PhaseDiagram.Resolution.report.criticalPoints) values of s<sub>b</sub><sup>2</sup>
        (<code>initbench theory --svg</code> draws finer ones).\(clippingNotes(figure))</figcaption>
        </figure>

        """
    }
}
