// The official OpenAI JavaScript client against build/server (run by
// tests/test_server.c): node tests/server/openai_client.mjs BASE_URL
// Prints "completion {"text": ...}" and "stream {"text": ...}".
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
