#include <hdf5.h>
/* zlib, the deflate filter's own library: HDF5Kit compresses chunks in parallel before handing them to H5Dwrite_chunk. */
#include <zlib.h>
