/* tests/test_text.c - llm.h's text and number helpers, against oracles
   written here from the standards:
   - llm_utf8_len: every 1-, 2- and 3-byte sequence and the 4-byte ones
     with any first three bytes, against a decoder that applies RFC 3629's
     rules to the code point (shortest form, no surrogates, <= U+10FFFF);
   - llm_json_escape: fixed strings written out by hand (RFC 8259 escapes,
     U+FFFD for each byte outside a well-formed character), every single
     byte, and any split of the output buffer giving the same text;
   - llm_f16_to_f32 / llm_bf16_to_f32: every half and bfloat16 value
     against its value computed with ldexp; llm_f32_to_f16 / _bf16 against
     the nearest representable value found by search (ties to the even
     pattern, past the largest finite value: infinity), on every float
     whose upper 16 bits are any pattern and lower bits a spread of values,
     and on hand-picked boundaries. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the well-formed character at p[0..n), or 0: the code point is
   decoded from the bit pattern, then checked against the range its length
   may encode. */
static size_t ref_utf8(const unsigned char *p, size_t n) {
    size_t len, k;
    uint32_t cp;
    if (n == 0) return 0;
    if ((p[0] & 0x80) == 0) return 1;
    if ((p[0] & 0xe0) == 0xc0) { len = 2; cp = p[0] & 0x1fu; }
    else if ((p[0] & 0xf0) == 0xe0) { len = 3; cp = p[0] & 0x0fu; }
    else if ((p[0] & 0xf8) == 0xf0) { len = 4; cp = p[0] & 0x07u; }
    else return 0;
    if (n < len) return 0;
    for (k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

static void test_utf8(void) {
    unsigned char b[5] = { 0 };
    unsigned a, c, d;
    size_t bad = 0, valid = 0, k;
    static const unsigned char fourth[] = { 0x00, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff };
    for (a = 0; a < 256; a++) {
        b[0] = (unsigned char)a;
        for (c = 0; c < 256; c++) {
            b[1] = (unsigned char)c;
            for (k = 1; k <= 2; k++) bad += llm_utf8_len((const char *)b, k) != ref_utf8(b, k);
            for (d = 0; d < 256; d++) {
                size_t want;
                b[2] = (unsigned char)d;
                want = ref_utf8(b, 3);
                bad += llm_utf8_len((const char *)b, 3) != want;
                valid += want == 3;
                if ((a & 0xf8) != 0xf0) continue;
                for (k = 0; k < sizeof fourth; k++) {
                    b[3] = fourth[k];
                    bad += llm_utf8_len((const char *)b, 4) != ref_utf8(b, 4);
                    bad += llm_utf8_len((const char *)b, 5) != ref_utf8(b, 5);
                }
            }
        }
    }
    CHECK(bad == 0, "llm_utf8_len differs from the oracle on %zu sequences", bad);
    /* U+0800..U+FFFF less the 2048 surrogates: each 3-byte form once */
    CHECK(valid == 0x10000 - 0x800 - 0x800, "%zu well-formed 3-byte sequences", valid);
    CHECK(llm_utf8_len("A", 0) == 0 && llm_utf8_len(NULL, 4) == 0, "empty or NULL input: 0");
    CHECK(llm_utf8_len("\xf4\x8f\xbf\xbf", 4) == 4 && llm_utf8_len("\xf4\x90\x80\x80", 4) == 0, "U+10FFFF, U+110000");
    CHECK(llm_utf8_len("\xed\x9f\xbf", 3) == 3 && llm_utf8_len("\xed\xa0\x80", 3) == 0, "U+D7FF, U+D800");
    CHECK(llm_utf8_len("\xc0\xaf", 2) == 0 && llm_utf8_len("\xe0\x9f\xbf", 3) == 0, "overlong forms");
}

/* ---- JSON strings --------------------------------------------------------- */

/* The whole escaped text of s[0..n), cap bytes at a time; its length. */
static size_t escape_all(const char *s, size_t n, size_t cap, char *out, size_t out_cap) {
    size_t k = 0, used, m;
    char piece[64];
    while (n) {
        used = llm_json_escape(s, n, piece, cap, &m);
        if (used == 0 || k + m > out_cap) return (size_t)-1;
        memcpy(out + k, piece, m);
        k += m; s += used; n -= used;
    }
    return k;
}

static void expect_escape(const char *in, size_t n, const char *want) {
    char out[512];
    size_t k = escape_all(in, n, 64, out, sizeof out);
    CHECK(k == strlen(want) && !memcmp(out, want, k), "escape of '%s': got '%.*s', want '%s'", in,
          (int)(k == (size_t)-1 ? 0 : k), out, want);
}

static void test_json(void) {
    static const char mixed[] = "a\"b\\c\n\t\r\x01\x1f\x7f \xe2\x82\xac\xe2\x82 \xf0\x9f\x98\x80\xff/x";
    static const char mixed_want[] = "a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f\\u007f \xe2\x82\xac\\ufffd\\ufffd "
                                     "\xf0\x9f\x98\x80\\ufffd/x";
    char whole[512], part[512];
    size_t n_whole, cap, bad = 0, m, used;
    int c;
    expect_escape("plain text", 10, "plain text");
    expect_escape("", 0, "");
    expect_escape("\"quoted\" \\ back", 15, "\\\"quoted\\\" \\\\ back");
    expect_escape("\x00\x08\x0c\x1b", 4, "\\u0000\\u0008\\u000c\\u001b");
    expect_escape("caf\xc3\xa9", 5, "caf\xc3\xa9");
    expect_escape("\xc3", 1, "\\ufffd");                              /* cut 2-byte character */
    expect_escape("\xe2\x82", 2, "\\ufffd\\ufffd");                   /* cut 3-byte character */
    expect_escape("\xc0\xaf", 2, "\\ufffd\\ufffd");                   /* overlong '/' */
    expect_escape("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd");        /* surrogate U+D800 */
    expect_escape("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd");  /* past U+10FFFF */
    expect_escape("\x80x", 2, "\\ufffdx");                           /* stray continuation byte */
    expect_escape(mixed, sizeof mixed - 1, mixed_want);
    for (c = 0; c < 256; c++) {   /* every single byte */
        char in = (char)c, want[8];
        if (c == '"' || c == '\\') snprintf(want, sizeof want, "\\%c", c);
        else if (c == '\n') strcpy(want, "\\n");
        else if (c == '\r') strcpy(want, "\\r");
        else if (c == '\t') strcpy(want, "\\t");
        else if (c < 0x20 || c == 0x7f) snprintf(want, sizeof want, "\\u%04x", (unsigned)c);
        else if (c >= 0x80) strcpy(want, "\\ufffd");
        else { want[0] = (char)c; want[1] = 0; }
        n_whole = escape_all(&in, 1, 64, whole, sizeof whole);
        bad += n_whole != strlen(want) || memcmp(whole, want, n_whole) != 0;
    }
    CHECK(bad == 0, "%zu single bytes escaped wrongly", bad);
    /* any buffer size from 6 up gives the same text; a whole character or
       escape is never split */
    n_whole = escape_all(mixed, sizeof mixed - 1, 64, whole, sizeof whole);
    for (cap = 6; cap <= 40; cap++) {
        size_t k = escape_all(mixed, sizeof mixed - 1, cap, part, sizeof part);
        CHECK(k == n_whole && !memcmp(part, whole, k), "cap %zu: a different text", cap);
    }
    used = llm_json_escape("\xf0\x9f\x98\x80", 4, part, 3, &m);
    CHECK(used == 0 && m == 0, "a 4-byte character in 3 bytes: used %zu, wrote %zu", used, m);
    used = llm_json_escape("ab\"", 3, part, 3, &m);
    CHECK(used == 2 && m == 2 && !memcmp(part, "ab", 2), "an escape that does not fit waits: used %zu", used);
    CHECK(llm_json_escape(NULL, 3, part, 8, &m) == 0 && m == 0, "NULL text");
    CHECK(llm_json_escape("ab", 2, NULL, 8, &m) == 0 && m == 0, "NULL buffer");
    CHECK(llm_json_escape("ab", 2, part, 8, NULL) == 0, "NULL length");
}

/* ---- half and bfloat16 ---------------------------------------------------- */

static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* The value of half h from its fields; exponent 31 (inf, NaN) not here. */
static double half_value(unsigned h) {
    unsigned e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp((double)m, -24) : ldexp(1.0 + m / 1024.0, (int)e - 15);
    return h & 0x8000 ? -v : v;
}
/* The value of bfloat16 b: sign, 8-bit exponent, 7-bit fraction. */
static double bf16_value(unsigned b) {
    unsigned e = (b >> 7) & 255, m = b & 127;
    double v = e == 0 ? ldexp((double)m, -133) : ldexp(1.0 + m / 128.0, (int)e - 127);
    return b & 0x8000 ? -v : v;
}

/* The nearest pattern to |x| among the positive finite values val[0..n)
   (ascending), with val[n] the first value past them (the overflow point:
   2^16 for half, 2^128 for bfloat16; reaching it gives infinity, pattern
   n); ties go to the even pattern. */
static unsigned nearest(double x, const double *val, unsigned n) {
    unsigned lo = 0, hi = n;
    double dl, dh;
    while (hi - lo > 1) { unsigned mid = (lo + hi) / 2; if (val[mid] <= x) lo = mid; else hi = mid; }
    if (x >= val[n]) return n;
    dl = x - val[lo];
    dh = val[hi] - x;
    if (dl < dh) return lo;
    if (dh < dl) return hi;
    return lo % 2 == 0 ? lo : hi;
}

static void test_halves(void) {
    static double hv[0x7c01], bv[0x7f81];
    unsigned h, hi16, k;
    size_t bad_h = 0, bad_b = 0, bad_rh = 0, bad_rb = 0, nan_bad = 0;
    static const uint32_t low16[] = { 0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x2001,
                                      0x7fff, 0x8000, 0x8001, 0xc000, 0xefff, 0xf000, 0xffff };
    for (h = 0; h < 0x7c00; h++) hv[h] = half_value(h);
    hv[0x7c00] = 65536.0;
    for (h = 0; h < 0x7f80; h++) bv[h] = bf16_value(h);
    bv[0x7f80] = ldexp(1.0, 128);
    /* to float: every pattern */
    for (h = 0; h < 0x10000; h++) {
        float f = llm_f16_to_f32((uint16_t)h), g = llm_bf16_to_f32((uint16_t)h);
        if ((h & 0x7c00) == 0x7c00) bad_h += (h & 0x3ff) ? !(f != f) : f != ((h & 0x8000) ? -INFINITY : INFINITY);
        else bad_h += (double)f != half_value(h) || (f == 0 && (bits_of(f) >> 31) != (h >> 15));
        if ((h & 0x7f80) == 0x7f80) bad_b += (h & 0x7f) ? !(g != g) : g != ((h & 0x8000) ? -INFINITY : INFINITY);
        else bad_b += (double)g != bf16_value(h) || (g == 0 && (bits_of(g) >> 31) != (h >> 15));
    }
    CHECK(bad_h == 0, "llm_f16_to_f32: %zu values wrong", bad_h);
    CHECK(bad_b == 0, "llm_bf16_to_f32: %zu values wrong", bad_b);
    /* from float: every upper half of the bits, with a spread of lower halves */
    for (hi16 = 0; hi16 < 0x10000; hi16++)
        for (k = 0; k < sizeof low16 / sizeof low16[0]; k++) {
            uint32_t u = (hi16 << 16) | low16[k], sign = (u >> 16) & 0x8000;
            float f = float_of(u);
            uint16_t got_h = llm_f32_to_f16(f), got_b = llm_f32_to_bf16(f);
            if (f != f) {
                nan_bad += !((got_h & 0x7c00) == 0x7c00 && (got_h & 0x200) && (got_h & 0x8000) == sign);
                nan_bad += !((got_b & 0x7f80) == 0x7f80 && (got_b & 0x40) && (got_b & 0x8000) == sign);
                continue;
            }
            bad_rh += got_h != (sign | nearest(fabs((double)f), hv, 0x7c00));
            bad_rb += got_b != (sign | nearest(fabs((double)f), bv, 0x7f80));
        }
    CHECK(bad_rh == 0, "llm_f32_to_f16: %zu values not the nearest half", bad_rh);
    CHECK(bad_rb == 0, "llm_f32_to_bf16: %zu values not the nearest bfloat16", bad_rb);
    CHECK(nan_bad == 0, "%zu NaNs not kept as quiet NaNs with their sign", nan_bad);
    /* boundaries, written out */
    CHECK(llm_f32_to_f16(1.0f) == 0x3c00 && llm_f32_to_f16(-2.0f) == 0xc000, "1, -2");
    CHECK(llm_f32_to_f16(65504.0f) == 0x7bff && llm_f32_to_f16(65519.996f) == 0x7bff, "largest half");
    CHECK(llm_f32_to_f16(65520.0f) == 0x7c00 && llm_f32_to_f16(-1e9f) == 0xfc00, "rounds past it: infinity");
    CHECK(llm_f32_to_f16(ldexpf(1.0f, -24)) == 0x0001 && llm_f32_to_f16(ldexpf(1.0f, -25)) == 0x0000 &&
          llm_f32_to_f16(ldexpf(3.0f, -26)) == 0x0001, "smallest subnormal, ties to even");
    CHECK(llm_f32_to_f16(ldexpf(1.0f, -14) - ldexpf(1.0f, -25)) == 0x0400, "rounds up into the normals");
    CHECK(llm_f32_to_f16(1.0f + ldexpf(1.0f, -11)) == 0x3c00 && llm_f32_to_f16(1.0f + ldexpf(3.0f, -11)) == 0x3c02,
          "ties to even");
    CHECK(llm_f32_to_f16(-0.0f) == 0x8000 && llm_f32_to_f16(INFINITY) == 0x7c00, "-0, infinity");
    CHECK(llm_f32_to_bf16(1.0f) == 0x3f80 && llm_f32_to_bf16(float_of(0x3f808000)) == 0x3f80 &&
          llm_f32_to_bf16(float_of(0x3f818000)) == 0x3f82, "bfloat16 ties to even");
    CHECK(llm_f32_to_bf16(float_of(0x7f7fffff)) == 0x7f80 && llm_f32_to_bf16(float_of(0x7f7f7fff)) == 0x7f7f,
          "bfloat16: the largest float rounds to infinity");
    CHECK(llm_f16_to_f32(0x7bff) == 65504.0f && llm_f16_to_f32(0x0001) == ldexpf(1.0f, -24) &&
          llm_bf16_to_f32(0x3f80) == 1.0f, "to float, written out");
}

int main(void) {
    test_utf8();
    test_json();
    test_halves();
    return test_summary("test_text");
}
