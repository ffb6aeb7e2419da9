// Run Material's own search worker, as shipped in a built site, on a list of queries.
//
//   node search_worker.cjs <site dir> <queries.json> [--plain] [--ranked]
//
// The worker script runs in a VM context with the few Web Worker globals it uses (self,
// addEventListener, postMessage, importScripts). Each query goes through the site's
// search-ko.js first and the results are reranked by it, as in the browser. Prints
// {query: [page locations, as Material lists them]};
// --ranked prints every section found instead (`page/#anchor`), highest score first.
// --plain leaves out our Korean additions (the `ko` index field and search-ko.js): Material alone.
"use strict"

const fs = require("fs")
const path = require("path")
const vm = require("vm")

async function main() {
  const [site, queriesFile, ...flags] = process.argv.slice(2)
  const plain = flags.includes("--plain")
  const ranked = flags.includes("--ranked")
  const workers = path.join(site, "assets", "javascripts", "workers")
  const script = fs.readdirSync(workers).find(name => /^search\..*\.min\.js$/.test(name))
  // what search-ko.js does around the worker in the browser: the query it sends, the results
  // it reranks
  const ours = plain ? null : require(path.resolve(site, "assets", "javascripts", "search-ko.js"))
  const workerQuery = plain ? query => query : ours.workerQuery
  const rerank = plain ? result => result : ours.rerank

  let listener = null
  let reply = null
  const context = {
    console,
    addEventListener: (type, fn) => { if (type === "message") listener = fn },
    postMessage: message => reply(message),
    importScripts: (...urls) => {
      for (const url of urls)
        vm.runInContext(fs.readFileSync(path.resolve(workers, url), "utf8"), context)
    }
  }
  context.self = context
  vm.createContext(context)
  vm.runInContext(fs.readFileSync(path.join(workers, script), "utf8"), context)

  const send = message => new Promise(resolve => {
    reply = resolve
    listener({ data: message })
  })
  const index = JSON.parse(
    fs.readFileSync(path.join(site, "search", "search_index.json"), "utf8"))
  if (plain) {
    delete index.config.fields.ko
    for (const doc of index.docs) delete doc.ko
  }
  const ready = await send({ type: 0, data: { ...index, options: { suggest: false } } })
  if (ready.type !== 1) throw new Error(`worker not ready: ${JSON.stringify(ready)}`)

  const results = {}
  for (const query of JSON.parse(fs.readFileSync(queriesFile, "utf8"))) {
    const data = rerank((await send({ type: 2, data: workerQuery(query) })).data, query)
    results[query] = ranked
      ? data.items.flat().sort((a, b) => b.score - a.score).map(doc => doc.location)
      : data.items.map(group => group[0].location.split("#")[0])
  }
  process.stdout.write(JSON.stringify(results))
}

main().catch(err => { console.error(err); process.exit(1) })
