import Foundation

/// The report's Jacobian-spectrum section (`initbench report --spectrum`): `spectrum.svg` and its
/// place in the page, kept apart from the other sections.
extension HTMLReport {
    /// `spectrum.svg` when the runs hold spectra, else nothing.
    static func spectrumFiles(_ report: PropagationDocument) -> [(name: String, data: Data)] {
        guard report.config.spectrumSamples != nil else { return [] }
        return [(SpectrumFigure.fileName, Data(SpectrumFigure.svg(report).text.utf8))]
    }

    /// The section's HTML, ending in a newline, or "" without spectra.
    static func spectrumSection(_ report: PropagationDocument) -> String {
        guard report.config.spectrumSamples != nil else { return "" }
        let figure = SpectrumFigure.svg(report)
        return """
        <h2>Singular values of the input-output Jacobian (dynamical isometry)</h2>
        <figure>
        \(figure.element)
        <figcaption>Density of the singular values of J = D<sub>l</sub>W<sub>l</sub>&hellip;D<sub>1</sub>W<sub>1</sub>
        (D = diag &phi;'(z)), pooled over \(report.config.spectrumSamples ?? 0) inputs, per decade. Dynamical isometry
        (Pennington, Schoenholz &amp; Ganguli 2017) is a narrow spike at 1: the mean of &sigma;<sup>2</sup> is
        &prod;<sub>l</sub> &chi;<sub>1</sub>(q<sup>l</sup>) for any weights (dashed: its square root), but only orthogonal
        weights keep the spread from growing with depth; independent entries add one unit of normalized variance of
        &sigma;<sup>2</sup> per layer. Dotted: the density that free probability predicts for infinitely wide layers
        of the same weights' ensemble (the free product of the W<sub>l</sub>W<sub>l</sub><sup>T</sup> and the
        D<sub>l</sub><sup>2</sup>, Pennington, Schoenholz &amp; Ganguli 2017 and 2018), which a finite width approaches
        with corrections of order depth/width. See <a href="\(jsonName)">\(jsonName)</a> for the moments against the
        Fuss&ndash;Catalan law (linear networks) and the free-probability variance.\(clippingNotes(figure))</figcaption>
        </figure>

        """
    }
}
