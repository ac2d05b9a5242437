// The clipscope executable: argument parsing and wiring live in ClipScopeCLI.
#if os(Linux)
import Glibc

// OpenBLAS's idle workers spin (sched_yield) for 2^28 cycles after every GEMM; between GEMMs our own
// element-wise kernels run on the same cores, so on a 2-core machine three runnable threads competed and
// ~9 % of an image forward went to the scheduler (perf: 9.2 % → 0.7 %, one image 6.38 → 5.80 s).
// OpenBLAS reads OPENBLAS_THREAD_TIMEOUT only when the library loads, before any code of ours runs, and
// restarting its pool in-process did not take it; so the process re-executes itself once with the
// minimum (workers sleep at once) unless the user set a value. The same holds for the OpenMP team
// oneDNN runs the vision GEMMs on (libgomp reads OMP_WAIT_POLICY at load): PASSIVE puts its idle
// threads to sleep at once instead of spinning while the element-wise kernels run.
let blasUnset = getenv("OPENBLAS_THREAD_TIMEOUT") == nil && getenv("GOTO_THREAD_TIMEOUT") == nil
let ompUnset = getenv("OMP_WAIT_POLICY") == nil && getenv("GOMP_SPINCOUNT") == nil
if blasUnset || ompUnset {
    if blasUnset { setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1) }
    if ompUnset { setenv("OMP_WAIT_POLICY", "PASSIVE", 1) }
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // exec failed (no /proc): carry on with OpenBLAS's default
}
#endif
import ClipScopeCLI

ClipScopeMain.run()
