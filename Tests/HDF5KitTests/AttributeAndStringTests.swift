import HDF5Kit
import Testing

@Suite("HDF5 attributes")
struct AttributeTests {
    @Test func everyKindRoundTripsOnRootGroupAndDataset() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("attributes.h5")
        let file = try HDF5File.create(path: path)
        try file.createGroup("/atlas")
        try file.write("/atlas/labels", [0, 1] as [UInt8], shape: [2])
        for object in ["/", "/atlas", "/atlas/labels"] {
            try file.setAttribute("name", "Brainnetome – 246 régions", on: object)
            try file.setAttribute("regions", Int64(246), on: object)
            try file.setAttribute("voxel_mm", 2.0, on: object)
            try file.setAttribute("origin", [90, -126, -72] as [Double], on: object)
            try file.setAttribute("dims", [91, 109, 91] as [Int64], on: object)
        }
        file.close()

        let reopened = try HDF5File.open(path: path)
        for object in ["/", "/atlas", "/atlas/labels"] {
            #expect(try reopened.stringAttribute("name", on: object) == "Brainnetome – 246 régions")
            #expect(try reopened.intAttribute("regions", on: object) == 246)
            #expect(try reopened.doubleAttribute("voxel_mm", on: object) == 2)
            #expect(try reopened.doubleArrayAttribute("origin", on: object) == [90, -126, -72])
            #expect(try reopened.intArrayAttribute("dims", on: object) == [91, 109, 91])
            #expect(reopened.hasAttribute("dims", on: object))
            #expect(!reopened.hasAttribute("absent", on: object))
        }
    }

    @Test func settingAgainReplacesEvenWithAnotherType() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("replace.h5"))
        try file.setAttribute("version", Int64(1))
        try file.setAttribute("version", "1.0.2")
        #expect(try file.stringAttribute("version") == "1.0.2")
        try file.setAttribute("values", [1, 2, 3] as [Double])
        try file.setAttribute("values", [] as [Double])
        #expect(try file.doubleArrayAttribute("values") == [])
    }

    @Test func errorsNameFileObjectAndAttribute() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("attribute-errors.h5")
        let file = try HDF5File.create(path: path)
        try file.setAttribute("pair", [1, 2] as [Int64])
        try file.setAttribute("text", "abc")

        let missing = hdf5Error { _ = try file.stringAttribute("absent") }
        #expect(missing?.description.hasPrefix("\(path): cannot read attribute absent on /") == true)
        #expect(hdf5Error { _ = try file.intAttribute("pair") }?.description
            == "\(path): cannot read attribute pair on /: it holds 2 values, not 1")
        #expect(hdf5Error { _ = try file.stringAttribute("pair") }?.stack == ["not a string attribute"])
        #expect(hdf5Error { _ = try file.intAttribute("text") } != nil)
        #expect(hdf5Error { try file.setAttribute("x", 1.0, on: "/nowhere") }?.path == path)
    }
}

@Suite("HDF5 string datasets")
struct StringDatasetTests {
    private let names = ["A8m_L", "thalamus – left", "", "Ωmega", "a much longer region name than the rest"]

    @Test("round trips", arguments: [HDF5StringLayout.variableLength, .fixedLength(0), .fixedLength(64)])
    func roundTrip(layout: HDF5StringLayout) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("strings.h5")
        let file = try HDF5File.create(path: path)
        try file.writeStrings("/nodes/default/node_type_names", names, layout: layout)
        file.close()
        #expect(try HDF5File.open(path: path).readStrings("/nodes/default/node_type_names") == names)
    }

    @Test func emptyList() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("empty.h5"))
        try file.writeStrings("/none", [])
        #expect(try file.readStrings("/none") == [])
    }

    @Test func tooNarrowFixedWidthIsRefused() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("narrow.h5"))
        #expect(hdf5Error { try file.writeStrings("/s", ["abcdef"], layout: .fixedLength(3)) }?.stack
            == ["a string of 6 bytes does not fit width 3"])
    }

    @Test func numbersAreNotStrings() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(path: scratch.path("numbers.h5"))
        try file.write("/n", [1] as [Int32], shape: [1])
        #expect(hdf5Error { _ = try file.readStrings("/n") }?.stack == ["not a string dataset"])
    }
}
