/*
 * Korean search, query side: drop the particle of each Hangul word of the query
 * (`이미지를` -> `이미지`) before Material's search worker sees it, and add the Docker word
 * of each Korean word of the synonym table (`로그인` -> `로그인 login`); an option of the
 * table (`-p`) becomes its word (`publish`), since lunr reads a leading `-` as "must not
 * contain". A phrase of the table (`이미지 만들기`) adds its word when the query has its
 * words in a row, particles stripped (`이미지를 만들기`). Two ranking rules on top of
 * Material's: a Docker word the reader typed ranks where it stands as itself above where it
 * only begins a longer word (workerQuery), and a page's entry keeps its lead over its
 * sections only when it answers the whole query (rerank). The index side (words without
 * particles, parts of compounds, the same synonyms) is hooks/search_ko.py; PARTICLES is the
 * same list (tests/test_search_ko.py checks it) and SYNONYMS is hooks/search_synonyms.json,
 * written here by the build.
 */
;(function () {
  "use strict"

  const PARTICLES = [
    "을", "를", "이", "가", "은", "는", "에", "의", "로", "으로", "와", "과", "도", "만",
    "까지", "부터", "에서", "에게", "한테", "처럼", "보다", "이다", "입니다", "이며", "이고",
    "에는", "에도", "에서는", "으로는", "로는", "와는", "과는", "에게서", "한테서", "이나",
    "나", "랑", "이랑", "마저", "조차", "밖에", "로서", "으로서", "로써", "으로써", "이라고",
    "라고", "이란", "란", "이라는", "라는", "이에요", "예요"
  ].sort((a, b) => b.length - a.length)
  const SYNONYMS = [] // the build writes hooks/search_synonyms.json here
  const MIN_SYLLABLES = 2
  const SEARCH_QUERY = 2 // Material's SearchMessageType.QUERY
  const SEARCH_RESULT = 3 // Material's SearchMessageType.RESULT
  const BOOST = 10
  const HANGUL_WORD = /^[가-힣]+$/
  const PLAIN_WORD = /^[a-z0-9_]+(?:-[a-z0-9_]+)*$/i
  const SEPARATOR = /[\s-]+/ // the index's separator (search_index.json config)

  function stripParticle(word) {
    for (const particle of PARTICLES)
      if (word.endsWith(particle) && word.length - particle.length >= MIN_SYLLABLES)
        return word.slice(0, -particle.length)
    return word
  }

  // Korean word or option -> the Docker word it stands for; phrases ([words], word) apart.
  function synonymMap(synonyms) {
    const map = new Map()
    const phrases = []
    for (const entry of synonyms) {
      for (const word of entry.ko)
        if (word.includes(" ")) phrases.push([word.split(" "), entry.en])
        else map.set(word, entry.en)
      for (const form of entry.forms || []) if (form.startsWith("-")) map.set(form, entry.en)
    }
    return { map, phrases }
  }

  // The query's words, each as the alternatives that answer it: the word typed (particle
  // stripped) and the Docker word it stands for; an option (`-p`) is its word alone, and a
  // phrase's word (`build` for `이미지 만들기`) answers each word of the phrase.
  function queryWords(query, synonyms = SYNONYMS) {
    const { map, phrases } = synonymMap(synonyms)
    const tokens = query.replace(/[가-힣]+/g, stripParticle).split(/\s+/).filter(Boolean)
    const lowered = tokens.map((token) => token.toLowerCase())
    const words = tokens.map((token, at) => {
      const docker = map.get(lowered[at])
      if (docker === undefined) return [token]
      return token.startsWith("-") ? [docker] : [token, docker]
    })
    for (const [phrase, docker] of phrases)
      for (let start = 0; start + phrase.length <= lowered.length; start++)
        if (phrase.every((word, offset) => lowered[start + offset] === word))
          for (let at = start; at < start + phrase.length; at++)
            if (!words[at].includes(docker)) words[at].push(docker)
    return words
  }

  function koreanQuery(query, synonyms = SYNONYMS) {
    const words = queryWords(query, synonyms)
    const typed = words.map((alternatives) => alternatives[0])
    const added = words.flatMap((alternatives) => alternatives.slice(1))
    return [...new Set([...typed, ...added.filter((word) => !typed.includes(word))])].join(" ")
  }

  // What the worker gets: the query, and each of its words once more with a boost. Material's
  // worker makes every word a prefix, which suits Korean (`로그` finds `로그를`) but not
  // Docker's words (`docker` also finds `Dockerfile`, `run` finds `running`): their boosted
  // copy is the word itself when the reader typed it (a Docker word the synonym table adds,
  // like a Korean word, stays a prefix). So a Docker word the reader typed ranks where it
  // stands as itself above where it only begins a longer word, and the words keep their
  // weights against each other. A query in lunr's own syntax goes to the worker as typed.
  function workerQuery(query, synonyms = SYNONYMS) {
    const typed = new Set(queryWords(query, synonyms).map((alternatives) => alternatives[0]))
    const words = koreanQuery(query, synonyms).split(" ").filter(Boolean)
    if (!words.every((word) => PLAIN_WORD.test(word) || HANGUL_WORD.test(word)))
      return words.join(" ") // `+docker`, `"docker run"`, `run~1`, `8080:80`
    const boosted = words.map(
      (word) => (typed.has(word) && PLAIN_WORD.test(word) ? word : `${word}*`) + `^${BOOST}`)
    return [...boosted, ...words].join(" ")
  }

  // Does a result answer one word of the query (any of its alternatives)? Material lists, per
  // result, each lowercased query term (split at its separators) and whether it was found.
  function answers(terms, alternatives) {
    return alternatives.some((word) =>
      word.toLowerCase().split(SEPARATOR).filter(Boolean).every((part) => terms[part] === true))
  }

  // Material's worker scores a result as lunr's score times 1 + (page + share)^2, where page is
  // 1 for a page's own entry and share the part of the query's terms it contains: a page's
  // entry outranks its sections even when it names only part of the query (`nginx 로그`: the
  // Nginx page above its logs section). Here a page keeps its extra 1 only when it answers
  // every word of the query (a word or the Docker word it stands for): when the query names
  // more than the page, the sections that answer it come first. Groups and the order in them
  // follow the new scores, as Material's do.
  function rerank(result, query, synonyms = SYNONYMS) {
    const words = queryWords(query, synonyms)
    if (!words.length) return result
    const items = result.items.flat().filter((item) => item.score > 0)
    for (const item of items) {
      const page = item.location.includes("#") ? 0 : 1
      const terms = Object.values(item.terms)
      const share = terms.filter(Boolean).length / terms.length
      const whole = words.every((alternatives) => answers(item.terms, alternatives))
      const lead = whole ? page : 0
      item.score = (item.score / (1 + (page + share) ** 2)) * (1 + (lead + share) ** 2)
    }
    items.sort((a, b) => b.score - a.score)
    const pages = new Map()
    for (const item of items) {
      const at = item.location.split("#")[0]
      pages.set(at, [...(pages.get(at) || []), item])
    }
    // Material lists every page that has a result with its own entry, found or not
    for (const entry of result.items.flat())
      if (!entry.location.includes("#") && pages.has(entry.location))
        if (!pages.get(entry.location).some((item) => item.location === entry.location))
          pages.get(entry.location).push({ ...entry, score: 0 })
    return { ...result, items: [...pages.values()] }
  }

  // Material talks to its worker with postMessage and hears it through a "message" listener
  // (rxjs fromEvent), set up when the bundle starts: this script comes before the bundle
  // (overrides/main.html). The worker answers each query once, in order: the queries asked
  // wait in a queue for their results.
  if (typeof Worker !== "undefined") {
    const asked = new WeakMap()
    const { postMessage, addEventListener, removeEventListener } = Worker.prototype
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message && message.type === SEARCH_QUERY && typeof message.data === "string") {
        asked.set(this, [...(asked.get(this) || []), message.data])
        message = { ...message, data: workerQuery(message.data) }
      }
      return postMessage.call(this, message, ...rest)
    }
    // One reranked event per event, however many listeners hear it; a listener is removed
    // by the function it was added with.
    const events = new WeakMap()
    const wrapped = new WeakMap()
    const reranked = (worker, event) => {
      const message = event.data
      if (!message || message.type !== SEARCH_RESULT || !(asked.get(worker) || []).length)
        return event
      if (!events.has(event)) {
        const data = rerank(message.data, asked.get(worker).shift())
        events.set(event, new MessageEvent("message", { data: { ...message, data } }))
      }
      return events.get(event)
    }
    Worker.prototype.addEventListener = function (type, listener, ...rest) {
      if (type !== "message" || typeof listener !== "function")
        return addEventListener.call(this, type, listener, ...rest)
      if (!wrapped.has(listener))
        wrapped.set(listener, function (event) {
          return listener.call(this, reranked(this, event))
        })
      return addEventListener.call(this, type, wrapped.get(listener), ...rest)
    }
    Worker.prototype.removeEventListener = function (type, listener, ...rest) {
      return removeEventListener.call(this, type, wrapped.get(listener) || listener, ...rest)
    }
  }

  if (typeof module !== "undefined")
    module.exports = { koreanQuery, workerQuery, rerank, PARTICLES, SYNONYMS }
})()
