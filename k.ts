import process from "node:process";
try {
  process.kill(Number(Deno.args[0]), 0);
  console.log("alive");
} catch (e) {
  console.log("err", e.name, e.code, e.message);
}
