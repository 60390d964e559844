/* Open MPI for Swift. The predefined communicator, datatypes and reduction operations are macros
 * that take the address of library globals, which Swift cannot import; these inline functions
 * hand them over as values. */
#include <mpi.h>

static inline MPI_Comm dtb_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype dtb_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype dtb_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype dtb_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype dtb_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op dtb_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op dtb_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op dtb_mpi_min(void) { return MPI_MIN; }
static inline MPI_Errhandler dtb_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int dtb_mpi_success(void) { return MPI_SUCCESS; }
static inline int dtb_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
