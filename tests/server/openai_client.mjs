// The official OpenAI JavaScript client against build/server (run by
// tests/test_server.c): node tests/server/openai_client.mjs BASE_URL
// Prints "completion {"text": ...}", "stream {"text": ...}", "embedding {"n": inputs, "v": [input 1's vector]}",
// "chat {"text": ...}" and "chatstream {"text": ...}"
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

// chat.completions.create, plain and streamed: "chat {...}" and "chatstream {...}"
const creq = { model: "shakespeare", messages: [{ role: "system", content: "Speak." }, { role: "user", content: "Good morrow" }],
               seed: 5, max_tokens: 16, temperature: 0.7 };
const cc = await client.chat.completions.create(creq);
if (cc.object !== "chat.completion" || cc.choices[0].message.role !== "assistant" || cc.usage.prompt_tokens < 1)
    throw new Error("bad chat completion " + JSON.stringify(cc));
console.log("chat " + JSON.stringify({ text: cc.choices[0].message.content }));

let ctext = "", role = "", finish = "";
const cstream = await client.chat.completions.create({ ...creq, stream: true });
for await (const chunk of cstream)
    for (const ch of chunk.choices) {
        if (ch.delta.role) role = ch.delta.role;
        if (ch.delta.content) ctext += ch.delta.content;
        if (ch.finish_reason) finish = ch.finish_reason;
    }
if (role !== "assistant" || !finish) throw new Error("chat stream without role or finish_reason");
console.log("chatstream " + JSON.stringify({ text: ctext }));
