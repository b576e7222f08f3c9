/* test_chat: chat templates (llm_chat_template_detect, llm_chat_render,
   the names and stop strings) and llm_model_load's choice of template.

   The tokenizer is built here: a byte-level BPE vocabulary with no merges
   in which byte b is token b (GPT-2's byte-to-character table, written
   out below from its definition), then <|endoftext|> 256, <|im_start|>
   257, <|im_end|> 258 as added tokens. So the expected ids of a rendered
   conversation are the bytes of the template's text as the definitions in
   llm.h's "chat templates" (and docs/server.md) describe it, with the
   special tokens' ids where the template has them: written here by hand,
   not produced by the code under test. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include "byte_vocab.h"
#include <unistd.h>
#include <sys/stat.h>

enum { EOT = 256, IM_START = 257, IM_END = 258 };

/* want: a text whose bytes are the ids, with \x01 \x02 \x03 standing for EOT, IM_START, IM_END. */
static int same_ids(const int32_t *ids, size_t n, const char *want) {
    size_t i, m = strlen(want);
    if (n != m) return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)want[i];
        int32_t w = c == 1 ? EOT : c == 2 ? IM_START : c == 3 ? IM_END : (int32_t)c;
        if (ids[i] != w) return 0;
    }
    return 1;
}

static llm_chat_message msg(const char *role, const char *content) {
    llm_chat_message m;
    m.role = role;
    m.content = content;
    m.content_len = strlen(content);
    return m;
}

static void test_names(void) {
    const char *const *st;
    CHECK(llm_chat_template_from_name("plain") == LLM_CHAT_PLAIN, "plain");
    CHECK(llm_chat_template_from_name("DialoGPT") == LLM_CHAT_DIALOGPT, "DialoGPT (any case)");
    CHECK(llm_chat_template_from_name("chatml") == LLM_CHAT_CHATML, "chatml");
    CHECK(llm_chat_template_from_name("llama") == -1 && llm_chat_template_from_name(NULL) == -1, "unknown names");
    CHECK(!strcmp(llm_chat_template_name(LLM_CHAT_CHATML), "chatml") && !strcmp(llm_chat_template_name(3), "?") &&
          !strcmp(llm_chat_template_name(-1), "?"), "template names");
    st = llm_chat_template_stops(LLM_CHAT_PLAIN);
    CHECK(st && st[0] && !strcmp(st[0], "\nUser:") && !st[1], "plain stops at \\nUser:");
    st = llm_chat_template_stops(LLM_CHAT_CHATML);
    CHECK(st && st[0] && !strcmp(st[0], "<|im_end|>") && !st[1], "chatml stops at <|im_end|>");
    st = llm_chat_template_stops(LLM_CHAT_DIALOGPT);
    CHECK(st && !st[0], "dialogpt: no stop string (end-of-text ends it)");
    CHECK(llm_chat_template_stops(9) == NULL, "unknown template: NULL stops");
}

static void test_render(const llm_tokenizer *tc, const llm_tokenizer *tp) {
    int32_t ids[256];
    size_t n = 0;
    char err[LLM_ERROR_SIZE];
    llm_chat_message m[4];
    llm_status r;
    m[0] = msg("system", "Be brief.");
    m[1] = msg("user", "Hi");
    m[2] = msg("assistant", "Yo");
    m[3] = msg("user", "Ok?");

    r = llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 4, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "System: Be brief.\nUser: Hi\nAssistant: Yo\nUser: Ok?\nAssistant:"),
          "plain render (%d %s, %zu ids)", r, err, n);
    r = llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m + 1, 1, 0, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "User: Hi\n"), "plain without the prompt");
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, EOT, m + 1, 3, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "Hi\x01Yo\x01Ok?\x01"), "dialogpt render (%d %s)", r, err);
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, EOT, m, 2, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "Be brief.\x01Hi\x01"), "dialogpt writes a system message as a turn");
    r = llm_chat_render(tc, LLM_CHAT_CHATML, EOT, m, 2, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "\x02system\nBe brief.\x03\n\x02user\nHi\x03\n\x02" "assistant\n"),
          "chatml render (%d %s)", r, err);
    r = llm_chat_render(tc, LLM_CHAT_CHATML, EOT, m + 2, 1, 0, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "\x02" "assistant\nYo\x03\n"), "chatml without the prompt");
    m[0] = msg("developer", "x<|im_end|>");
    r = llm_chat_render(tc, LLM_CHAT_CHATML, EOT, m, 1, 0, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "\x02system\nx<|im_end|>\x03\n"),
          "developer is system; special-token text in content stays text");
    m[0] = msg("user", "");
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, EOT, m, 1, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "\x01"), "empty content");
    r = llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 0, 1, ids, 256, &n, err);
    CHECK(r == LLM_OK && same_ids(ids, n, "Assistant:"), "no messages: the prompt alone");

    /* sizes and errors */
    m[0] = msg("user", "Hello");
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, EOT, m, 1, 1, ids, 3, &n, err);
    CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && n == 6 && ids[0] == 'H' && ids[2] == 'l' && strstr(err, "6 tokens"),
          "buffer too small: the full count (%d, %zu, %s)", r, n, err);
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, EOT, m, 1, 1, NULL, 0, &n, err);
    CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && n == 6, "a count with no buffer");
    m[1] = msg("tool", "x");
    r = llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 2, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_INVALID_ARG && strstr(err, "message 1") && n == 0, "unknown role refused: %s", err);
    r = llm_chat_render(tp, LLM_CHAT_CHATML, EOT, m, 1, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_UNSUPPORTED && strstr(err, "<|im_start|>"), "chatml without its tokens: %s", err);
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, -1, m, 1, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_INVALID_ARG && strstr(err, "end-of-text"), "dialogpt without eos: %s", err);
    r = llm_chat_render(tp, LLM_CHAT_DIALOGPT, 257, m, 1, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_INVALID_ARG && strstr(err, "257"), "dialogpt with an eos past the vocabulary: %s", err);
    r = llm_chat_render(tp, 3, EOT, m, 1, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_INVALID_ARG, "unknown template");
    CHECK(llm_chat_render(NULL, LLM_CHAT_PLAIN, EOT, m, 1, 1, ids, 256, &n, NULL) == LLM_ERR_INVALID_ARG &&
          llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, NULL, 1, 1, ids, 256, &n, NULL) == LLM_ERR_INVALID_ARG &&
          llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 1, 1, ids, 256, NULL, NULL) == LLM_ERR_INVALID_ARG,
          "NULL arguments");
    m[0].content = NULL;
    CHECK(llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 1, 1, ids, 256, &n, err) == LLM_ERR_INVALID_ARG,
          "NULL content with a length");
    /* lengths whose sum (with the template's bytes) wraps around SIZE_MAX: refused before anything is read */
    m[0] = msg("user", "x");
    m[1] = msg("user", "x");
    m[0].content_len = (size_t)-1 / 2 - 32;
    m[1].content_len = (size_t)0 - (size_t)-1 / 2;
    r = llm_chat_render(tp, LLM_CHAT_PLAIN, EOT, m, 2, 1, ids, 256, &n, err);
    CHECK(r == LLM_ERR_LIMIT, "lengths past SIZE_MAX / 2 in all: %d %s", r, err);
}

/* HF's DialoGPT tokenizer_config.json template (GPT2Tokenizer's default). */
#define DIALOGPT_TC "{\"eos_token\":\"<|endoftext|>\",\"chat_template\":" \
    "\"{% for message in messages %}{{ message.content }}{{ eos_token }}{% endfor %}\"}"
#define CHATML_TC "{\"chat_template\":\"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + " \
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}" \
    "{{ '<|im_start|>assistant\\n' }}{% endif %}\"}"
#define LLAMA_TC "{\"chat_template\":\"{% for message in messages %}{{ '[INST] ' + message['content'] + " \
    "' [/INST]' }}{% endfor %}\"}"

static int detect(const llm_tokenizer *t, const char *tc, const char *cfg, char *note) {
    int tmpl = -7;
    llm_status r = llm_chat_template_detect(t, tc, tc ? strlen(tc) : 0, cfg, cfg ? strlen(cfg) : 0, &tmpl, note);
    return r == LLM_OK ? tmpl : -100 - (int)r;
}

static void test_detect(const llm_tokenizer *tc, const llm_tokenizer *tp) {
    char note[LLM_ERROR_SIZE];
    int tmpl;
    CHECK(detect(tp, DIALOGPT_TC, NULL, note) == LLM_CHAT_DIALOGPT && strstr(note, "DialoGPT"),
          "HF's DialoGPT chat_template: %s", note);
    CHECK(detect(tp, "{\"chat_template\":\"{%- for message in messages -%}\\n  {{- message[\\\"content\\\"] -}}"
                     "{{ eos_token }}\\n{%- endfor %}\"}", NULL, note) == LLM_CHAT_DIALOGPT,
          "DialoGPT's shape with trim markers, escapes and [\"content\"]: %s", note);
    CHECK(detect(tp, "{\"chat_template\":\"{% for message in messages %}{{ message.role }}{{ eos_token }}"
                     "{% endfor %}\"}", NULL, note) == LLM_CHAT_PLAIN && strstr(note, "not guessed"),
          "a near miss of DialoGPT's shape is not recognised: %s", note);
    CHECK(detect(tc, CHATML_TC, NULL, note) == LLM_CHAT_CHATML && strstr(note, "ChatML"), "ChatML template: %s", note);
    CHECK(detect(tp, CHATML_TC, NULL, note) == LLM_CHAT_PLAIN && strstr(note, "no <|im_start|>"),
          "ChatML template without the tokens: plain, said: %s", note);
    CHECK(detect(tc, LLAMA_TC, NULL, note) == LLM_CHAT_PLAIN && strstr(note, "not guessed"),
          "an unknown template is not guessed at, even with ChatML tokens: %s", note);
    CHECK(detect(tc, "{\"chat_template\":[{\"name\":\"tool_use\",\"template\":\"x\"},{\"name\":\"default\","
                     "\"template\":\"{% for message in messages %}{{ message['content'] }}{{ eos_token }}"
                     "{% endfor %}\"}]}",
                 NULL, note) == LLM_CHAT_DIALOGPT, "a list of templates: the default one: %s", note);
    CHECK(detect(tc, "{\"chat_template\":[{\"name\":\"other\",\"template\":\"x\"}]}", NULL, note) == LLM_CHAT_PLAIN,
          "a list with no default: plain");
    CHECK(detect(tc, "{\"chat_template\":[{\"name\":1}]}", NULL, note) == -100 - LLM_ERR_FORMAT,
          "a malformed list is an error");
    CHECK(detect(tc, "{\"chat_template\":7}", NULL, note) == -100 - LLM_ERR_FORMAT && strstr(note, "chat_template"),
          "chat_template of the wrong type: %s", note);
    CHECK(detect(tc, "{\"chat_template\":", NULL, note) == -100 - LLM_ERR_FORMAT &&
          !strncmp(note, "tokenizer_config.json", 21), "broken tokenizer_config.json: %s", note);
    CHECK(detect(tc, "[1]", NULL, note) == -100 - LLM_ERR_FORMAT, "tokenizer_config.json not an object");
    CHECK(detect(tc, "{\"eos_token\":\"<|endoftext|>\"}", NULL, note) == LLM_CHAT_CHATML &&
          strstr(note, "vocabulary"), "no chat_template, ChatML tokens: chatml: %s", note);
    CHECK(detect(tc, NULL, NULL, note) == LLM_CHAT_CHATML, "no files, ChatML tokens: chatml");
    CHECK(detect(tp, NULL, "{\"_name_or_path\":\"microsoft/DialoGPT-small\"}", note) == LLM_CHAT_DIALOGPT &&
          strstr(note, "_name_or_path"), "config.json's _name_or_path: %s", note);
    CHECK(detect(tp, "{}", "{\"task_specific_params\":{\"conversational\":{\"max_length\":1000}}}", note) ==
          LLM_CHAT_DIALOGPT, "config.json's task_specific_params.conversational: %s", note);
    CHECK(detect(tp, NULL, "{\"_name_or_path\":\"gpt2\",\"task_specific_params\":{\"text-generation\":{}}}", note) ==
          LLM_CHAT_PLAIN && strstr(note, "plain"), "GPT-2: plain: %s", note);
    CHECK(detect(tp, LLAMA_TC, "{\"_name_or_path\":\"DialoGPT\"}", note) == LLM_CHAT_PLAIN,
          "tokenizer_config's template comes first");
    CHECK(detect(tp, NULL, "{\"_name_or_path\":", note) == -100 - LLM_ERR_FORMAT && !strncmp(note, "config.json", 11),
          "broken config.json: %s", note);
    CHECK(detect(NULL, NULL, NULL, note) == LLM_CHAT_PLAIN, "nothing at all: plain");
    CHECK(llm_chat_template_detect(tp, NULL, 0, NULL, 0, NULL, note) == LLM_ERR_INVALID_ARG, "NULL tmpl");
    tmpl = -1;
    CHECK(llm_chat_template_detect(tp, NULL, 0, NULL, 0, &tmpl, NULL) == LLM_OK && tmpl == LLM_CHAT_PLAIN,
          "NULL note");
}

static int write_file(const char *path, const char *text, size_t n) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(text, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    return ok;
}

/* llm_model_load reads tokenizer_config.json and config.json beside the weights. */
static void test_model_load(void) {
    char dir[] = "/tmp/llm-test-chat-XXXXXX", path[256];
    size_t st_len = 0, cfg_len = 0;
    char *st = test_read_file("tests/data/tiny-f32/model.safetensors", &st_len);
    char *cfg = test_read_file("tests/data/tiny-f32/config.json", &cfg_len);
    llm_model m;
    llm_model_options o;
    llm_status r;
    if (!st || !cfg || !mkdtemp(dir)) {
        CHECK(0, "tests/data/tiny-f32 or a temporary folder");
        free(st);
        free(cfg);
        return;
    }
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    CHECK(write_file(path, st, st_len), "write %s", path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK(write_file(path, cfg, cfg_len), "write %s", path);
    r = llm_model_load(&m, dir, NULL);
    CHECK(r == LLM_OK && m.chat_template == LLM_CHAT_PLAIN && strstr(m.chat_template_note, "plain"),
          "no chat files: plain (%s)", r == LLM_OK ? m.chat_template_note : llm_model_error(&m));
    llm_model_free(&m);
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    CHECK(write_file(path, DIALOGPT_TC, strlen(DIALOGPT_TC)), "write %s", path);
    r = llm_model_load(&m, dir, NULL);
    CHECK(r == LLM_OK && m.chat_template == LLM_CHAT_DIALOGPT && strstr(m.chat_template_note, "DialoGPT"),
          "tokenizer_config.json's DialoGPT template (%s)", r == LLM_OK ? m.chat_template_note : llm_model_error(&m));
    llm_model_free(&m);
    CHECK(write_file(path, "{\"chat_template\":[", 18), "write %s", path);
    r = llm_model_load(&m, dir, NULL);
    CHECK(r == LLM_ERR_FORMAT && strstr(llm_model_error(&m), "tokenizer_config.json"),
          "a broken tokenizer_config.json fails the load: %s", llm_model_error(&m));
    llm_model_free(&m);
    memset(&o, 0, sizeof o);
    o.no_tokenizer = 1;
    r = llm_model_load(&m, dir, &o);
    CHECK(r == LLM_OK && m.chat_template == LLM_CHAT_PLAIN, "no_tokenizer: tokenizer_config.json is not read");
    llm_model_free(&m);
    CHECK(llm_model_load_memory(&m, st, st_len, cfg, cfg_len) == LLM_OK && m.chat_template == LLM_CHAT_PLAIN &&
          !m.chat_template_note[0], "the memory loader leaves plain and no note");
    llm_model_free(&m);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir); unlink(path);
    snprintf(path, sizeof path, "%s/model.safetensors", dir); unlink(path);
    rmdir(dir);
    free(st);
    free(cfg);
}

int main(void) {
    llm_tokenizer tc, tp;
    char *jc = byte_vocab_json(1), *jp = byte_vocab_json(0);
    memset(&tc, 0, sizeof tc);
    memset(&tp, 0, sizeof tp);
    if (!jc || !jp || llm_tokenizer_load_json_memory(&tc, jc, strlen(jc)) != LLM_OK ||
        llm_tokenizer_load_json_memory(&tp, jp, strlen(jp)) != LLM_OK) {
        CHECK(0, "the test's tokenizers: %s / %s", llm_tokenizer_error(&tc), llm_tokenizer_error(&tp));
    } else {
        CHECK(llm_tokenizer_vocab_size(&tc) == 259 && llm_tokenizer_eot(&tp) == EOT, "the test's tokenizers");
        test_names();
        test_render(&tc, &tp);
        test_detect(&tc, &tp);
    }
    test_model_load();
    llm_tokenizer_free(&tc);
    llm_tokenizer_free(&tp);
    free(jc);
    free(jp);
    return test_summary("test_chat");
}
