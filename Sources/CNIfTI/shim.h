// Debian installs the headers in /usr/include/nifti and nifti2_io.h includes <znzlib.h>
// unqualified, so Package.swift adds that directory to the include path.
#define HAVE_ZLIB 1
#include <nifti/nifti2_io.h>
