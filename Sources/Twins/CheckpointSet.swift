import Assimilation
import Foundation
import HDF5Kit
import Hemodynamics
import SpikingEngine
import Store

/// An assimilation's checkpoint on disk, beside `<stem>.h5` in the checkpoints directory.
///
/// A fit in one process writes that one file (``AssimilationFiles`` layout), as it always did.
/// A fit whose ensemble is shared over R ranks writes one file per rank with that rank's members
/// (`<stem>.frame-<F>.rank-<r>-of-<R>.h5`: a new name per frame, so the previous set stays whole
/// while the next is written), then rank 0 writes the manifest `<stem>.manifest.json` (rank
/// count, member blocks, frame, each file's name and SHA-256) through a rename, and only then
/// records progress and removes the previous set. A kill at any moment therefore leaves a
/// complete set: the one the manifest names. Whatever the rank count of the run that resumes, each
/// process reads the members it now advances from whichever files hold them.
struct CheckpointSet {
    /// The one-process checkpoint (and the posterior of a shared fit, assembled at its end).
    let single: URL

    init(single: URL) { self.single = single }

    var directory: URL { single.deletingLastPathComponent() }
    /// `assimilation-<version id>`: every file of the set starts with it.
    var stem: String { single.deletingPathExtension().lastPathComponent }
    var manifestURL: URL { directory.appendingPathComponent("\(stem).manifest.json") }

    /// What rank 0 writes once every rank's file of a frame is complete (keys snake_case).
    struct Manifest: Codable, Equatable {
        var settingsDigest: String
        var frame: Int
        var ranks: Int
        var members: Int
        /// One per rank, in rank order: its members' blocks cover 0 ..< members.
        var files: [RankFile]
    }

    /// One rank's file of a checkpoint.
    struct RankFile: Codable, Equatable {
        var rank: Int
        /// The file's name in the checkpoints directory.
        var file: String
        var sha256: String
        var firstMember: Int
        var memberCount: Int

        var members: Range<Int> { firstMember..<(firstMember + memberCount) }
    }

    /// Where the latest complete checkpoint is.
    enum Latest {
        case single
        case shared(Manifest)
    }

    /// The latest complete checkpoint, nil when there is none. When a fit moved between one
    /// process and several, both kinds may be there (a kill between writing one and removing
    /// the other): the later frame wins, and at the same frame they hold the same state.
    func latest() throws -> Latest? {
        let manifest = try readManifest()
        guard FileManager.default.fileExists(atPath: single.path) else { return manifest.map(Latest.shared) }
        guard let manifest else { return .single }
        return try singleFrame() >= manifest.frame ? .single : .shared(manifest)
    }

    private func singleFrame() throws -> Int {
        let file = try HDF5File.open(path: single.path)
        defer { file.close() }
        return Int(try file.intAttribute("frame"))
    }

    private func readManifest() throws -> Manifest? {
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let manifest = try? decoder.decode(Manifest.self, from: data) else {
            throw TwinError.file("\(manifestURL.path): not a checkpoint manifest; \(restart)")
        }
        return manifest
    }

    /// What a user can do about a damaged set.
    private var restart: String { "remove \(stem).* in \(directory.path) to start this assimilation again" }

    /// Checks the latest checkpoint before any process reads it, so that a damaged one is one line
    /// here and not a failure in the middle of the ranks: a manifest of this fit (`digest`) of
    /// `members` members whose files are all there with their checksums.
    func verify(digest: String, members: Int) throws {
        guard case .shared(let manifest)? = try latest() else { return }
        guard manifest.settingsDigest == digest else {
            throw TwinError.file("\(manifestURL.path) is the checkpoint of another assimilation; \(restart)")
        }
        guard manifest.members == members, manifest.files.count == manifest.ranks,
              manifest.files.map(\.members.lowerBound) == [0] + manifest.files.dropLast().map(\.members.upperBound),
              manifest.files.last?.members.upperBound == members else {
            throw TwinError.file("\(manifestURL.path): its rank files do not cover the \(members) members; \(restart)")
        }
        for rankFile in manifest.files {
            let url = directory.appendingPathComponent(rankFile.file)
            let what = "rank \(rankFile.rank)'s file of the checkpoint of frame \(manifest.frame)"
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw TwinError.file("\(url.path): missing (\(what)); restore it, or \(restart)")
            }
            let sha = try SHA256.hex(ofFile: url.path)
            guard sha == rankFile.sha256 else {
                throw TwinError.file("\(url.path): SHA-256 \(sha) is not the \(rankFile.sha256) of \(what) (damaged); restore it, or \(restart)")
            }
        }
    }

    /// The latest checkpoint with the engine states of `members` only (a process's own), nil
    /// when there is none. A shared set was checked by ``verify(digest:members:)`` first.
    func read(members: Range<Int>, digest: String) throws -> AssimilationFiles.Checkpoint? {
        switch try latest() {
        case nil: return nil
        case .single:
            let c = try AssimilationFiles.readCheckpoint(single, members: members)
            guard c.settingsDigest == digest else {
                throw TwinError.file("\(single.path) is the checkpoint of another assimilation; remove it to start this one again")
            }
            return c
        case .shared(let manifest):
            return try read(members: members, of: manifest)
        }
    }

    private func read(members: Range<Int>, of manifest: Manifest) throws -> AssimilationFiles.Checkpoint {
        var snapshots: [SimulationSnapshot] = [], bold: [BOLDSamplerState] = []
        var header: (frame: Int, digest: String, theta: [Double], frames: [AssimilationFrame])?
        for rankFile in manifest.files where rankFile.members.overlaps(members) {
            let file = try HDF5File.open(path: directory.appendingPathComponent(rankFile.file).path)
            defer { file.close() }
            if header == nil { header = try AssimilationFiles.readHeader(file) }
            for m in rankFile.members.clamped(to: members) {
                let (snapshot, state) = try AssimilationFiles.readMember(m, from: file)
                snapshots.append(snapshot)
                bold.append(state)
            }
        }
        guard let header, header.frame == manifest.frame else {
            throw TwinError.file("\(manifestURL.path): its rank files are not of frame \(manifest.frame); \(restart)")
        }
        return AssimilationFiles.Checkpoint(filter: FilterCheckpoint(frame: header.frame, theta: header.theta, firstMember: members.lowerBound,
                                                                     members: snapshots, bold: bold),
                                            frames: header.frames, settingsDigest: header.digest)
    }

    /// The one-process checkpoint, then the shared set it replaces removed.
    func writeSingle(_ c: AssimilationFiles.Checkpoint) throws {
        try createDirectory()
        try AssimilationFiles.writeCheckpoint(c, to: single)
        removeFiles(except: [single.lastPathComponent])
    }

    /// This rank's file of the checkpoint `c` (its members), complete under its final name when
    /// this returns; what rank 0's manifest says of it.
    func writeRank(_ c: AssimilationFiles.Checkpoint, rank: Int, ranks: Int) throws -> RankFile {
        try createDirectory()
        let name = "\(stem).frame-\(c.filter.frame).rank-\(rank)-of-\(ranks).h5"
        let url = directory.appendingPathComponent(name)
        try AssimilationFiles.writeCheckpoint(c, to: url)
        return RankFile(rank: rank, file: name, sha256: try SHA256.hex(ofFile: url.path), firstMember: c.filter.firstMember,
                        memberCount: c.filter.members.count)
    }

    /// Makes `manifest` the latest checkpoint (every file it names is complete), then removes
    /// what it replaces: the previous set and any one-process file.
    func commit(_ manifest: Manifest) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ReplacedFile.write(manifestURL, what: "the manifest") { try encoder.encode(manifest).write(to: $0) }
        removeFiles(except: Set([manifestURL.lastPathComponent] + manifest.files.map(\.file)))
    }

    /// The posterior (the whole ensemble in the one-process layout): the one-process file, which a
    /// shared set is first assembled into, member by member, with the bytes one process writes.
    func posterior(digest: String, members: Int) throws -> URL {
        guard case .shared(let manifest)? = try latest() else { return single }
        try verify(digest: digest, members: members)
        try ReplacedFile.write(single, what: "the posterior") { try assemble(manifest, into: $0) }
        return single
    }

    private func assemble(_ manifest: Manifest, into url: URL) throws {
        let out = try HDF5File.create(path: url.path, trackTimes: false)
        defer { out.close() }
        for (r, rankFile) in manifest.files.enumerated() {
            let file = try HDF5File.open(path: directory.appendingPathComponent(rankFile.file).path)
            defer { file.close() }
            if r == 0 {
                let h = try AssimilationFiles.readHeader(file)
                try AssimilationFiles.writeHeader(frame: h.frame, digest: h.digest, theta: h.theta, frames: h.frames, into: out)
            }
            for m in rankFile.members {
                let (snapshot, bold) = try AssimilationFiles.readMember(m, from: file)
                try AssimilationFiles.writeMember(m, snapshot, bold: bold, into: out)
            }
        }
    }

    /// Every file of the set gone (the fit is recorded).
    func removeAll() { removeFiles(except: []) }

    /// Removes the set's files and temporaries (names starting `<stem>.` or `.<stem>.`) but `kept`.
    private func removeFiles(except kept: Set<String>) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where (name.hasPrefix("\(stem).") || name.hasPrefix(".\(stem).")) && !kept.contains(name) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    private func createDirectory() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
}
