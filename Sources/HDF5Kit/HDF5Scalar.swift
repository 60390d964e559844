// The library's globals (type and property-class ids) are written only by H5open, under our lock.
@preconcurrency internal import CHDF5

/// The numeric element types HDF5Kit stores.
public enum HDF5ScalarKind: Sendable {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64
}

/// A Swift type stored as an HDF5 number of the same size and kind.
///
/// Conformances: `Float`, `Double`, `Int8`, `UInt8`, `Int16`, `UInt16`, `Int32`, `UInt32`, `Int64`,
/// `UInt64`. HDF5 converts on read, so e.g. an `Int16` dataset can be read as `[Float]`.
public protocol HDF5Scalar: Sendable {
    static var hdf5Kind: HDF5ScalarKind { get }
}

extension Float: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .float32 } }
extension Double: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .float64 } }
extension Int8: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .int8 } }
extension UInt8: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .uint8 } }
extension Int16: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .int16 } }
extension UInt16: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .uint16 } }
extension Int32: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .int32 } }
extension UInt32: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .uint32 } }
extension Int64: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .int64 } }
extension UInt64: HDF5Scalar { public static var hdf5Kind: HDF5ScalarKind { .uint64 } }

extension HDF5ScalarKind {
    /// The native (in-memory, here also on-disk) HDF5 type; valid once the library is open.
    var nativeType: hid_t {
        switch self {
        case .int8: H5T_NATIVE_INT8_g
        case .uint8: H5T_NATIVE_UINT8_g
        case .int16: H5T_NATIVE_INT16_g
        case .uint16: H5T_NATIVE_UINT16_g
        case .int32: H5T_NATIVE_INT32_g
        case .uint32: H5T_NATIVE_UINT32_g
        case .int64: H5T_NATIVE_INT64_g
        case .uint64: H5T_NATIVE_UINT64_g
        case .float32: H5T_NATIVE_FLOAT_g
        case .float64: H5T_NATIVE_DOUBLE_g
        }
    }
}

/// The kind of a stored HDF5 type: integers by size and sign, floats by size; nil otherwise.
func scalarKind(of type: hid_t) -> HDF5ScalarKind? {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER:
        let signed = H5Tget_sign(type) == H5T_SGN_2
        switch size {
        case 1: return signed ? .int8 : .uint8
        case 2: return signed ? .int16 : .uint16
        case 4: return signed ? .int32 : .uint32
        case 8: return signed ? .int64 : .uint64
        default: return nil
        }
    case H5T_FLOAT:
        return size == 4 ? .float32 : size == 8 ? .float64 : nil
    default:
        return nil
    }
}
