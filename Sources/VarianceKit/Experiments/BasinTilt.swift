import Foundation

/// How the best column of a grid moves from row to row: the tilt of the basin of a loss over
/// two log-spaced settings, such as a learning rate (rows) and a decay (columns).
///
/// For row `r`, with `x_c = log10(columns[c])` and `y_c = values[r][c]`, the best column is the
/// minimum's `x_c*`, refined by the vertex of the parabola through `(x_{c*-1}, y_{c*-1})`,
/// `(x_c*, y_c*)` and `(x_{c*+1}, y_{c*+1})` when the minimum is interior and both neighbours are
/// finite:
///
///     x̂ = x₁ - ½ · ((x₁-x₀)²(y₁-y₂) - (x₁-x₂)²(y₁-y₀)) / ((x₁-x₀)(y₁-y₂) - (x₁-x₂)(y₁-y₀))
///
/// kept within `[x₀, x₂]`. The tilt is the least-squares slope of `x̂_r` against
/// `log10(rows[r])` over the rows that have a finite value:
///
///     slope = Σ (u_r - ū)(x̂_r - x̄) / Σ (u_r - ū)²,   u_r = log10(rows[r])
///
/// in decades of the column setting per decade of the row setting. A basin whose best column
/// keeps `row · column` constant has slope `-1`, one that keeps `column / row` constant has
/// slope `+1`, and a separable basin (the best column the same in every row) has slope `0`.
/// Row and column settings must be positive.
public struct BasinTilt: Sendable, Hashable, Codable {
    /// Per row, `log10` of the best column setting (`x̂_r`); nil where the row has no finite value.
    public var bestLogColumn: [Double?]
    /// The rows whose minimum lies in the first or last column, where the basin may extend past
    /// the grid.
    public var edgeRows: Int
    /// The slope in decades of the column per decade of the row; nil with fewer than two rows
    /// that have a finite value.
    public var slope: Double?

    /// The tilt of `grid`'s basin (lower values are better).
    public init(_ grid: SettingsGrid) {
        let x = grid.columns.map { log10($0) }
        var best: [Double?] = []
        var edges = 0
        for row in grid.values {
            let finite = row.indices.filter { row[$0].map(\.isFinite) ?? false }
            guard let c = finite.min(by: { row[$0]! < row[$1]! }) else {
                best.append(nil)
                continue
            }
            if c == 0 || c == row.count - 1 { edges += 1 }
            if c > 0, c < row.count - 1, let y0 = row[c - 1], let y2 = row[c + 1], y0.isFinite, y2.isFinite {
                best.append(Self.vertex(x0: x[c - 1], y0: y0, x1: x[c], y1: row[c]!, x2: x[c + 1], y2: y2))
            } else {
                best.append(x[c])
            }
        }
        bestLogColumn = best
        edgeRows = edges
        let points = zip(grid.rows, best).compactMap { row, column in column.map { (log10(row), $0) } }
        guard points.count >= 2 else {
            slope = nil
            return
        }
        let meanU = points.map(\.0).reduce(0, +) / Double(points.count)
        let meanX = points.map(\.1).reduce(0, +) / Double(points.count)
        let suu = points.map { ($0.0 - meanU) * ($0.0 - meanU) }.reduce(0, +)
        let sux = points.map { ($0.0 - meanU) * ($0.1 - meanX) }.reduce(0, +)
        slope = suu > 0 ? sux / suu : nil
    }

    /// The vertex of the parabola through three points, `x₁` when they are collinear, kept
    /// within `[x₀, x₂]`.
    static func vertex(x0: Double, y0: Double, x1: Double, y1: Double, x2: Double, y2: Double) -> Double {
        let denominator = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0)
        guard denominator != 0 else { return x1 }
        let numerator = (x1 - x0) * (x1 - x0) * (y1 - y2) - (x1 - x2) * (x1 - x2) * (y1 - y0)
        return min(max(x1 - 0.5 * numerator / denominator, min(x0, x2)), max(x0, x2))
    }
}
