/* driver.c - runs a libFuzzer target over files without libFuzzer, so
 * that `make test` replays the seed and regression corpus with gcc and the
 * sanitizers: driver FILE... (each is one input). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		size_t cap = 1 << 16, n = 0, got;
		uint8_t *buf = malloc(cap);
		while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
			if ((n += got) == cap)
				buf = realloc(buf, cap *= 2);
		fclose(f);
		if (!buf)
			return 1;
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("fuzz corpus: %d inputs replayed\n", argc - 1);
	return 0;
}
