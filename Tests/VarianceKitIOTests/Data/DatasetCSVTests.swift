import Foundation
import Testing
@testable import VarianceKit

/// `CSVDataset` and `Dataset.csv`: small CSV files written in the test, and each kind of broken one.
@Suite struct DatasetCSVTests {
    @Test func classificationByNameMapsSortedDistinctLabels() throws {
        let scratch = try ScratchDirectory()
        let url = try scratch.write("iris.csv", text: "length,species,width\n1.5,7,0.25\n-2,3,1e-3\n  4 , 7 , 8\n0,-1,0\n")
        let read = try CSVDataset.read(from: url, target: .name("species"), task: .classification)
        #expect(read.featureNames == ["length", "width"] && read.targetName == "species")
        #expect(read.classValues == [-1, 3, 7])
        #expect(read.dataset.labels == [2, 1, 2, 0])
        #expect(read.dataset.outputCount == 3)
        #expect(read.dataset.features == (try Matrix([[1.5, 0.25], [-2, 0.001], [4, 8], [0, 0]])))
        #expect(read.dataset.name == "iris.csv")
    }

    @Test func regressionByIndexWithoutHeader() throws {
        let scratch = try ScratchDirectory()
        let url = try scratch.write("points.csv", text: "1,2,3\r\n4,5,6\r\n\r\n7,8,9")
        let dataset = try Dataset.csv(url, target: .index(0), task: .regression)
        #expect(!dataset.isClassification)
        #expect(dataset.features == (try Matrix([[2, 3], [5, 6], [8, 9]])))
        guard case .values(let targets) = dataset.targets else { Issue.record("expected values"); return }
        #expect(targets == (try Matrix([[1], [4], [7]])))
    }

    @Test func headerOptionsAndDelimiter() throws {
        let scratch = try ScratchDirectory()
        // All numbers: automatic finds no header; present makes the first row one.
        let url = try scratch.write("numbers.csv", text: "10;20\n1;2\n3;4\n")
        let automatic = try CSVDataset.read(from: url, target: .index(1), task: .classification, delimiter: ";")
        #expect(automatic.dataset.sampleCount == 3 && automatic.featureNames == ["column 1"])
        let present = try CSVDataset.read(from: url, target: .name("20"), task: .classification, header: .present, delimiter: ";")
        #expect(present.dataset.sampleCount == 2 && present.featureNames == ["10"] && present.classValues == [2, 4])
        // absent: a non-numeric first row is then an error at line 1.
        let named = try scratch.write("named.csv", text: "a,b\n1,2\n")
        let report = try #require(fileError { _ = try Dataset.csv(named, target: .index(1), task: .regression, header: .absent) })
        #expect(report.location == "line 1, column 1" && report.found == "'a'")
    }

    /// Line breaks inside quoted fields count as editors count them: `\r\n` once, a lone `\r`
    /// once; and a number may have spaces (Unicode ones too) around it.
    @Test func lineBreaksAndSpacesInsideFields() throws {
        #expect(CSVTable.lineBreaks(in: "") == 0)
        #expect(CSVTable.lineBreaks(in: "a\nb") == 1)
        #expect(CSVTable.lineBreaks(in: "a\r\nb") == 1)
        #expect(CSVTable.lineBreaks(in: "a\rb") == 1)
        #expect(CSVTable.lineBreaks(in: "\r\r\n\n\u{e9}\n") == 4)
        #expect(CSVTable.number("3") == 3)
        #expect(CSVTable.number(" 3 ") == 3)
        #expect(CSVTable.number("\t-2e3\t") == -2000)
        #expect(CSVTable.number("\u{A0}5\u{2003}") == 5)
        #expect(CSVTable.number("x") == nil && CSVTable.number("nan") == nil && CSVTable.number("") == nil)
        let scratch = try ScratchDirectory()
        // The header's second name spans lines 1-2 (one CRLF), so "1,2" is line 3 and the bad field line 4.
        let url = try scratch.write("crlf.csv", text: "a,\"b\r\nc\"\r\n1,2\r\n3,\"4\r5\"\r\n")
        let report = try #require(fileError { _ = try Dataset.csv(url, target: .index(0), task: .regression) })
        #expect(report.location.hasPrefix("line 4, column 2"), "\(report.description)")
    }

    /// Spaces around fields are dropped by the table, not the reader: header names, numbers, a
    /// quoted number after a space, a line of spaces (skipped as blank), the line numbers of errors.
    @Test func spacesAroundFields() throws {
        #expect(CSVTable.cleaned("3") == "3" && CSVTable.cleaned(" 3\t") == "3")
        #expect(CSVTable.cleaned(" \"2\" ") == "2" && CSVTable.cleaned(" \"a\"\"b\"") == "a\"b")
        #expect(CSVTable.cleaned("\"") == "\"" && CSVTable.cleaned("  ") == "")
        let scratch = try ScratchDirectory()
        let url = try scratch.write("spaces.csv", text: " a , b \n1, \"2\"\n   \n\t3\t,4 \n")
        let read = try CSVDataset.read(from: url, target: .name("b"), task: .regression)
        #expect(read.featureNames == ["a"])
        #expect(read.dataset.features == (try Matrix([[1], [3]])))
        guard case .values(let targets) = read.dataset.targets else { Issue.record("expected values"); return }
        #expect(targets == (try Matrix([[2], [4]])))
        let bad = try scratch.write("bad.csv", text: " a , b \n1, 2\n   \n 3 , x \n")
        let report = try #require(fileError { _ = try Dataset.csv(bad, target: .index(0), task: .regression) })
        #expect(report.location == "line 4, column 2 ('b')" && report.found == "'x'", "\(report.description)")
    }

    @Test func quotedFieldsAndTheLinesTheyTake() throws {
        let scratch = try ScratchDirectory()
        // The header's second name spans two lines, so the bad field is on line 5.
        let url = try scratch.write("quoted.csv", text: "\u{FEFF}x,\"y\nlabel\"\n\"1\",2\n3,\"4\"\n5,six\n")
        let report = try #require(fileError { _ = try Dataset.csv(url, target: .index(1), task: .classification) })
        #expect(report.location == "line 5, column 2 ('y\nlabel')", "\(report.description)")
        let good = try scratch.write("good.csv", text: "x,\"y\nlabel\"\n\"1\",2\n3,\"4\"\n")
        #expect(try Dataset.csv(good, target: .name("y\nlabel"), task: .classification).labels == [0, 1])
    }

    /// Each broken file, its target, the location its error must name, and words its message must hold.
    static let broken: [(String, String, CSVDataset.Column, CSVDataset.Task, String, String)] = [
        ("empty file", "", .index(0), .regression, "line 1", "an empty file"),
        ("blank lines only", "\n\n", .index(0), .regression, "line 1", "only blank lines"),
        ("header only", "a,b\n", .name("a"), .regression, "line 2", "after the header"),
        ("ragged row", "a,b,c\n1,2,3\n4,5\n", .index(0), .regression, "line 3", "2 fields"),
        ("long row", "1,2\n3,4,5\n", .index(0), .regression, "line 2", "3 fields"),
        ("text field", "a,b\n1,2\n3,x\n", .index(0), .regression, "line 3, column 2 ('b')", "'x'"),
        ("empty field", "1,2\n,4\n", .index(1), .regression, "line 2, column 1", "an empty field"),
        ("nan", "a,b\n1,nan\n", .index(0), .regression, "line 2, column 2 ('b')", "finite"),
        ("inf", "a,b\n-inf,1\n", .index(1), .regression, "line 2, column 1 ('a')", "finite"),
        ("too large for Float", "a,b\n1e39,1\n", .index(1), .regression, "line 2, column 1 ('a')", "Float"),
        ("no such column", "a,b\n1,2\n", .name("c"), .classification, "line 1 (the header)", "no column named 'c'"),
        ("name without header", "1,2\n3,4\n", .name("a"), .classification, "line 1", "no header"),
        ("index out of range", "1,2\n3,4\n", .index(2), .classification, "line 1", "2 columns"),
        ("negative index", "1,2\n3,4\n", .index(-1), .classification, "line 1", "2 columns"),
        ("non-integer label", "a,b\n1,2\n3,2.5\n", .name("b"), .classification, "line 3, column 2 ('b')", "integer class label"),
        ("target only", "a\n1\n", .index(0), .regression, "line 2", "feature column"),
    ]

    @Test(arguments: 0..<broken.count)
    func brokenFilesAreRefusedNamingFileAndLine(index: Int) throws {
        let (name, text, target, task, location, words) = Self.broken[index]
        let scratch = try ScratchDirectory()
        let url = try scratch.write("broken.csv", text: text)
        let report = try #require(fileError { _ = try Dataset.csv(url, target: target, task: task) }, "\(name)")
        expectRefusal(report, names: url, at: location, saying: words, case: name)
    }

    @Test func missingFileNamesThePath() throws {
        let scratch = try ScratchDirectory()
        let report = fileError(access: true) { _ = try Dataset.csv(scratch.file("none.csv"), target: .index(0), task: .regression) }
        #expect(report?.path == scratch.file("none.csv").path && report?.description.contains("ENOENT") == true)
    }

    @Test func truncationsAndByteFlipsNeverTrap() throws {
        let scratch = try ScratchDirectory()
        let source = Array("a,b,\"c\"\n1,2,3\r\n4.5,-6,\"7\"\n8,9,10\n".utf8)
        for (number, bytes) in mutations(of: source, seed: 5).enumerated() {
            let url = try scratch.write("fuzz-\(number).csv", bytes)
            for task in [CSVDataset.Task.classification, .regression] {
                do {
                    let dataset = try Dataset.csv(url, target: .index(2), task: task)
                    #expect(dataset.featureCount == 2)
                } catch let error as VarianceKitError {
                    #expect(error.description.contains(url.path))
                }
            }
        }
    }
}
