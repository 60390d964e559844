/// The voxel datatypes this module reads and writes (NIfTI `DT_*` codes).
public enum NIfTIDataType: Int32, Sendable, CaseIterable {
    case uint8 = 2, int16 = 4, int32 = 8, float32 = 16, float64 = 64
    case int8 = 256, uint16 = 512, uint32 = 768, int64 = 1024, uint64 = 1280

    /// Bytes per voxel.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    /// Whether voxels hold integers (so they can be labels without any check but range).
    public var isInteger: Bool { self != .float32 && self != .float64 }
}

/// A Swift type stored as voxels of one ``NIfTIDataType``.
///
/// Conformances: `UInt8`, `Int8`, `Int16`, `UInt16`, `Int32`, `UInt32`, `Int64`, `UInt64`,
/// `Float`, `Double`. Other conformances are not supported.
public protocol NIfTIScalar: Sendable {
    /// The NIfTI datatype with this type's memory layout.
    static var niftiDataType: NIfTIDataType { get }
}

extension UInt8: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .uint8 } }
extension Int8: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .int8 } }
extension Int16: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .int16 } }
extension UInt16: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .uint16 } }
extension Int32: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .int32 } }
extension UInt32: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .uint32 } }
extension Int64: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .int64 } }
extension UInt64: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .uint64 } }
extension Float: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .float32 } }
extension Double: NIfTIScalar { public static var niftiDataType: NIfTIDataType { .float64 } }
