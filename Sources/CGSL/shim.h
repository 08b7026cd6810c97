#ifndef SCALESIM_CGSL_SHIM_H
#define SCALESIM_CGSL_SHIM_H
#include <stdint.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_roots.h>

/*
 * xoshiro256** 1.0 (David Blackman and Sebastiano Vigna, 2018, public domain,
 * https://prng.di.unimi.it/xoshiro256starstar.c) and SplitMix64 (Guy L. Steele,
 * Doug Lea and Christine H. Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014; code from https://prng.di.unimi.it/splitmix64.c), registered as a GSL
 * generator type so that GSL's samplers (gsl_ran_*) draw from it.
 *
 * The state is four uint64_t words, owned by the gsl_rng (its `state` pointer);
 * Swift's RandomStream steps the same words through scalesim_xoshiro_next, so Swift
 * and GSL share one sequence.
 */

/* One step of xoshiro256**: returns the next 64-bit output and advances `s` (4 words). */
static inline uint64_t scalesim_xoshiro_next(uint64_t *s) {
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* One step of SplitMix64: advances `x` by the golden gamma and returns the mixed value. */
static inline uint64_t scalesim_splitmix64_next(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* GSL `set`: fills the four words from SplitMix64 seeded with `seed` (never all zero:
   four consecutive SplitMix64 outputs are distinct). RandomStream does not rely on it; it
   writes the state itself from a 64-bit key, so that seeding does not depend on the width
   of `unsigned long`. */
static inline void scalesim_xoshiro_set(void *state, unsigned long seed) {
    uint64_t *s = (uint64_t *)state;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++) s[i] = scalesim_splitmix64_next(&x);
}

/* GSL `get`: the top 32 bits of the next output (range 0...0xFFFFFFFF; the top bits are
   xoshiro's best, and GSL's ziggurat Gaussian takes 32 bits when max - min >= 0xFFFFFFFF). */
static inline unsigned long scalesim_xoshiro_get(void *state) {
    return (unsigned long)(scalesim_xoshiro_next((uint64_t *)state) >> 32);
}

/* GSL `get_double`: the top 53 bits of the next output times 2^-53, in [0, 1), every
   multiple of 2^-53 equally likely (full double precision, unlike get / 2^32). */
static inline double scalesim_xoshiro_get_double(void *state) {
    return (double)(scalesim_xoshiro_next((uint64_t *)state) >> 11) * 0x1.0p-53;
}

/* The GSL generator type "xoshiro256starstar" (max 0xFFFFFFFF, min 0, 32 bytes of state). */
static inline const gsl_rng_type *scalesim_xoshiro_type(void) {
    static const gsl_rng_type type = {
        "xoshiro256starstar",
        0xFFFFFFFFUL,
        0,
        4 * sizeof(uint64_t),
        &scalesim_xoshiro_set,
        &scalesim_xoshiro_get,
        &scalesim_xoshiro_get_double
    };
    return &type;
}

#endif
