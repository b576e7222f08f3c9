// The official OpenAI JavaScript client against build/server (run by
// tests/test_server.c): node tests/server/openai_client.mjs BASE_URL
// Prints "completion {"text": ...}", "stream {"text": ...}" and "embedding {"n": inputs, "v": [input 1's vector]}"
// (embeddings.create asks for base64 and decodes it unless told otherwise).
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.argv[2], apiKey: "unused", maxRetries: 0, timeout: 60000 });
const req = { model: "shakespeare", prompt: "ROMEO:", seed: 5, max_tokens: 24, temperature: 0.7 };

const c = await client.completions.create(req);
if (c.object !== "text_completion" || c.usage.completion_tokens < 1) throw new Error("bad completion " + JSON.stringify(c));
console.log("completion " + JSON.stringify({ text: c.choices[0].text }));

let text = "";
const stream = await client.completions.create({ ...req, stream: true });
for await (const chunk of stream) for (const ch of chunk.choices) text += ch.text;
console.log("stream " + JSON.stringify({ text }));

const e = await client.embeddings.create({ model: "shakespeare", input: ["ROMEO:", "JULIET:"] });
if (e.object !== "list" || e.usage.prompt_tokens < 2 || e.data[1].index !== 1) throw new Error("bad embeddings " + JSON.stringify(e));
console.log("embedding " + JSON.stringify({ n: e.data.length, v: Array.from(e.data[1].embedding) }));
