/* helloc: a C program through apps/include/baremetal.h. */
#include "bmlib.h"

int main(void) {
	u64 id = b_system(SMP_ID, 0, 0);
	u64 cores = b_system(SMP_NUMCORES, 0, 0);
	bm_printf("Hello from C! (helloc on core %u of %u, main at %p)\n", id, cores, (void *)main);
	return 0;
}
