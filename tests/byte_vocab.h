/* byte_vocab.h - a byte-level BPE tokenizer.json with no merges, in which
   byte b is token b, for tests/test_chat.c and tests/fuzz/fuzz_chat.c: the
   ids of a text are its bytes, so expected ids can be written by hand. */
#ifndef LLM_BYTE_VOCAB_H
#define LLM_BYTE_VOCAB_H
#include <stdio.h>
#include <stdlib.h>

/* GPT-2's bytes_to_unicode: the printable bytes '!'..'~', 0xA1..0xAC and
   0xAE..0xFF stand for themselves, the others for U+0100 + their rank. */
static void byte_vocab_char(char *out, size_t *k, int b, int *next) {
    unsigned cp;
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) cp = (unsigned)b;
    else cp = 256u + (unsigned)(*next)++;
    if (cp == '"' || cp == '\\') { out[(*k)++] = '\\'; out[(*k)++] = (char)cp; }
    else if (cp < 0x80) out[(*k)++] = (char)cp;
    else { out[(*k)++] = (char)(0xC0 | (cp >> 6)); out[(*k)++] = (char)(0x80 | (cp & 0x3F)); }
}

/* tokenizer.json text (malloc'd, or NULL): byte b is token b, then the added tokens <|endoftext|> 256 and,
   with_chatml, <|im_start|> 257 and <|im_end|> 258. */
static char *byte_vocab_json(int with_chatml) {
    char *s = (char *)malloc(16384);
    size_t k = 0;
    int b, next = 0;
    if (!s) return NULL;
    k += (size_t)sprintf(s + k, "{\"model\":{\"type\":\"BPE\",\"vocab\":{");
    for (b = 0; b < 256; b++) {
        s[k++] = '"';
        byte_vocab_char(s, &k, b, &next);
        k += (size_t)sprintf(s + k, "\":%d%s", b, b < 255 ? "," : "");
    }
    k += (size_t)sprintf(s + k, "},\"merges\":[]},\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"added_tokens\":["
                                "{\"id\":256,\"content\":\"<|endoftext|>\",\"special\":true}");
    if (with_chatml)
        k += (size_t)sprintf(s + k, ",{\"id\":257,\"content\":\"<|im_start|>\",\"special\":true},"
                                    "{\"id\":258,\"content\":\"<|im_end|>\",\"special\":true}");
    sprintf(s + k, "]}");
    return s;
}

#endif
