// Make the WordPiece (BERT vocabulary) fixtures under tests/data/wordpiece/:
// a synthetic vocab.txt, tokenizer_config.json / tokenizer.json for each
// configuration, and cases.tsv with the ids and decoded text that Hugging
// Face's tokenizers for JavaScript (@huggingface/tokenizers, npm, offline)
// give for every case. tests/test_wordpiece.c checks llm.h against them.
//
//     cd tools && npm install && node reference/make_wordpiece_fixtures.mjs
//
// The tokenizer.json files are what transformers' BertConverter makes of a
// vocab.txt: BertNormalizer, BertPreTokenizer, WordPiece model and decoder.
// never_split (a slow-tokenizer setting that tokenizer.json cannot express)
// is given to the oracle as an unnormalized added token; the cases put those
// entries between spaces, where the two mean the same (an entry that is
// not in vocab.txt becomes [UNK] in BertTokenizer: tested by hand).
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "..", "tests", "data", "wordpiece");
fs.mkdirSync(out, { recursive: true });

// ---- the vocabulary --------------------------------------------------------
const vocab = [];
const seen = new Set();
const add = (t) => { if (!seen.has(t)) { seen.add(t); vocab.push(t); } };
["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[FOO]"].forEach(add);
for (let c = 33; c < 127; c++) add(String.fromCharCode(c));
for (let c = 33; c < 127; c++) if (/[a-z0-9]/.test(String.fromCharCode(c))) add("##" + String.fromCharCode(c));
const words = ("the of and to in is was he for it with as his on be at by had are but from or have an they which " +
  "one you were her all she there would their we him been has when who will more no if out so said what up its " +
  "about into than them can only other new some could time these two may then do first any my now such like our " +
  "over man me even most made after also did many before must through back years where much your way well down " +
  "should because each just those people how too little state good very make world still own see men work long " +
  "get here between both life being under never day same another know while last might us great old year off " +
  "come since against go came right used take three hello world token tokenizer model chinese english text " +
  "unbelievable un believ able play playing played player run running quick brown fox jumps lazy dog cafe naive " +
  "resume hugging face gpt bert word piece test case upper lower mixed").split(" ");
words.forEach(add);
["Hello", "World", "The", "GPT", "BERT", "Apple", "café", "naïve", "résumé", "Zürich", "über", "señor",
 "façade", "élan"].forEach(add);
["##ing", "##ed", "##s", "##er", "##ly", "##tion", "##able", "##ness", "##ment", "##est", "##ize", "##izer",
 "##ize", "##en", "##pie", "##ce", "##ll", "##o", "##wor", "##ld", "##é", "##ü", "##ï", "##😀", "##ß"].forEach(add);
// accented and other scripts, single characters
"éèêëàâäîïôöùûüçñßøåæœáíóúýÿ".split("").forEach(add);
"ÉÈÀÇÑÜÖÄ".split("").forEach(add);
"αβγδεζηθικλμνξοπρσςτυφχψω".split("").forEach(add);
"абвгдежзийклмнопрстуфхцчшщъыьэюя".split("").forEach(add);
["привет", "мир", "καλημέρα", "καλημερα"].forEach(add);
// Hangul: two syllables and the jamo they decompose into
["한", "국", "ᄒ", "ᅡ", "ᆫ", "ᄀ", "ᅮ", "ᆨ", "##ᅡ", "##ᆫ", "##ᅮ", "##ᆨ"].forEach(add);
// CJK punctuation and symbols
"，。！？、：；“”‘’（）《》【】…—·「」".split("").forEach(add);
// emoji: one whole, one with its continuation
["😀", "👍", "🎉"].forEach(add);
// CJK ideographs: the first 2000 of the block, and the ones the cases use;
// 龘 and 𠀀 (CJK Extension B) stay out (they must become [UNK])
const zh = "这是很久之前的事情了我们今天天气真好中文分词测试你好世界北京大学人工智能模型语言生成汉字简体繁體" +
  "電腦電脑学習学习的了在有一个上不人中大为来以个到说时要就出会可也你对生能而子那得于着下自之年过发后作里";
for (let c = 0x4E00; c < 0x4E00 + 2000; c++) add(String.fromCodePoint(c));
for (const ch of zh) add(ch);
["##的", "##中"].forEach(add);
// a few multi-character CJK tokens (never produced: CJK characters are split)
["中文", "北京"].forEach(add);
const vocabTxt = vocab.join("\n") + "\n";
fs.writeFileSync(path.join(out, "vocab.txt"), vocabTxt);

// ---- configurations ----------------------------------------------------------
const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
function tokenizerJson(lower, strip, chinese, added) {
  const v = {};
  vocab.forEach((t, i) => { v[t] = i; });
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: added.map((t) => ({ id: vocab.indexOf(t), content: t, single_word: false, lstrip: false,
      rstrip: false, normalized: false, special: SPECIALS.includes(t) })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: chinese, strip_accents: strip,
      lowercase: lower },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: { type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
               { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [], special_tokens: {} },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100,
      vocab: v },
  };
}
// name: [do_lower_case, strip_accents (null: as do_lower_case), tokenize_chinese_chars, never_split]
const configs = {
  uncased: [true, null, true, null],
  cased: [false, null, true, null],
  cased_strip: [false, true, true, null],
  uncased_keep_accents: [true, false, true, null],
  no_chinese: [true, null, false, null],
  never_split: [true, null, true, ["[FOO]"]],
};
const tok = {};
for (const [name, [lower, strip, chinese, never]] of Object.entries(configs)) {
  const cfg = { tokenizer_class: "BertTokenizer", do_lower_case: lower, strip_accents: strip,
    tokenize_chinese_chars: chinese, clean_up_tokenization_spaces: true, unk_token: "[UNK]", sep_token: "[SEP]",
    pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]", model_max_length: 1024 };
  if (never) cfg.never_split = never;
  fs.writeFileSync(path.join(out, name + ".tokenizer_config.json"), JSON.stringify(cfg, null, 2) + "\n");
  const strip2 = strip === null ? lower : strip;
  const plainJson = tokenizerJson(lower, strip2, chinese, never ? never.filter((t) => vocab.includes(t)) : []);
  const specJson = tokenizerJson(lower, strip2, chinese, SPECIALS.concat(never ? never.filter((t) => vocab.includes(t)) : []));
  if (!never) fs.writeFileSync(path.join(out, name + ".tokenizer.json"), JSON.stringify(specJson) + "\n");
  tok[name] = [new Tokenizer(plainJson, { clean_up_tokenization_spaces: true }),
               new Tokenizer(specJson, { clean_up_tokenization_spaces: true })];
}

// ---- cases ---------------------------------------------------------------------
const C = [
  ["zh", "这是很久之前的事情了"], ["zh", "我们今天天气真好！"], ["zh", "中文分词测试，你好世界。"],
  ["zh", "北京大学的人工智能模型"], ["zh", "“语言生成”（汉字）《简体》"], ["zh", "繁體電腦與簡體电脑"],
  ["zh", "汉字，"], ["zh", "中文"], ["zh", "北京"], ["zh", "一丁七万丈三上下不与"],
  ["en", "Hello world"], ["en", "hello world, the quick brown fox jumps over the lazy dog."],
  ["en", "The GPT model is unbelievable"], ["en", "playing played player running"],
  ["en", "tokenizer tokenizers tokenize"], ["en", "Hugging Face"], ["en", "HELLO WORLD"],
  ["en", "It's a don't-can't test; isn't it?"], ["en", "wordpiece WordPiece"], ["en", "a b c 1 2 3 42 2024"],
  ["mixed", "Hello世界"], ["mixed", "GPT模型是unbelievable的"], ["mixed", "北京is a city，中文text。"],
  ["mixed", "我们playing中文"], ["mixed", "hello,世界!test"],
  ["punct", "!!!???..."], ["punct", "a.b,c;d:e'f\"g"], ["punct", "(hello) [world] {test} <x>"],
  ["punct", "¡Hola! ¿Qué? «quoted» — dash – en … ellipsis"], ["punct", "@#$%^&*_+=|\\/~`"],
  ["punct", "hello , world . test ! why ?"], ["punct", "a ' b"], ["punct", "the 's the n't the 've"],
  ["emoji", "😀"], ["emoji", "hello 😀 world"], ["emoji", "👍🎉"], ["emoji", "I❤️you"], ["emoji", "😀😀"],
  ["emoji", "🤖 robot"],
  ["accent", "café naïve résumé"], ["accent", "Zürich über señor façade élan"], ["accent", "CAFÉ NAÏVE"],
  ["accent", "e\u0301 cafe\u0301"], ["accent", "Ångström ølle æble"], ["accent", "καλημέρα κόσμε"],
  ["accent", "Привет мир"], ["accent", "İstanbul"], ["accent", "ǅemal ǈ"], ["accent", "한국"],
  ["accent", "ﬁne ﬀ"], ["accent", "ẞ Straße"],
  ["ctrl", "hello\u0000world"], ["ctrl", "a\tb\nc\rd"], ["ctrl", "x\u0007y\u001bz"], ["ctrl", "soft\u00adhyphen"],
  ["ctrl", "zero\u200bwidth"], ["ctrl", "bom\ufeffhere"], ["ctrl", "rep\ufffdchar"], ["ctrl", "nbsp\u00a0space"],
  ["ctrl", "ideo\u3000space"], ["ctrl", "line\u2028sep"], ["ctrl", "v\u000bf\u000cn\u0085x"],
  ["ctrl", "  leading and trailing  "], ["ctrl", ""], ["ctrl", "   "], ["ctrl", "\u0001\u0002"],
  ["long", "a".repeat(100)], ["long", "a".repeat(101)], ["long", "hello" + "a".repeat(120) + " world"],
  ["long", "pneumonoultramicroscopicsilicovolcanoconiosis"], ["long", "xyzzy qwvbn"],
  ["long", "é".repeat(100)], ["long", "é".repeat(101)], ["long", "😀".repeat(101)],
  ["special", "[CLS] hello world [SEP]"], ["special", "[CLS]这是[SEP]"], ["special", "a[MASK]b"],
  ["special", "[PAD][PAD]"], ["special", "[UNK]"], ["special", "[cls] [Sep]"], ["special", "[CLS"],
  ["never", "[FOO] bar"], ["never", "x [FOO] y"],   ["never", "[foo] [FOO]"], ["never", "中[FOO] 文"],
  ["case", "Hello HELLO hello hElLo"], ["case", "ÉLAN élan"], ["case", "ΑΒΓ αβγ"], ["case", "АБВ абв"],
];
const hex = (s) => Buffer.from(s, "utf8").toString("hex");
const lines = [];
let n = 0;
for (const name of Object.keys(configs)) {
  C.forEach(([cat, text], k) => {
    if (cat === "never" && name !== "never_split") return;
    for (const flag of [0, 1]) {
      const t = tok[name][flag];
      const ids = t.encode(text, { add_special_tokens: false }).ids;
      const dec = ids.length ? t.decode(ids) : "";
      lines.push([`${name}-${cat}-${k}`, name, flag, hex(text), ids.join(" "), hex(dec)].join("\t"));
      n++;
    }
  });
}
fs.writeFileSync(path.join(out, "cases.tsv"), lines.join("\n") + "\n");
console.log(`vocab.txt: ${vocab.length} tokens; cases.tsv: ${n} cases`);
