/*
 * Korean search, query side: drop the particle of each Hangul word of the query
 * (`이미지를` -> `이미지`) before Material's search worker sees it, and add the Docker word
 * of each Korean word of the synonym table (`로그인` -> `로그인 login`); an option of the
 * table (`-p`) becomes its word (`publish`), since lunr reads a leading `-` as "must not
 * contain". A phrase of the table (`이미지 만들기`) adds its word when the query has its
 * words in a row, particles stripped (`이미지를 만들기`). The index side (words without particles, parts of compounds, the same
 * synonyms) is hooks/search_ko.py; PARTICLES is the same list (tests/test_search_ko.py
 * checks it) and SYNONYMS is hooks/search_synonyms.json, written here by the build.
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

  function inARow(tokens, words) {
    for (let start = 0; start + words.length <= tokens.length; start++)
      if (words.every((word, offset) => tokens[start + offset] === word)) return true
    return false
  }

  function koreanQuery(query, synonyms = SYNONYMS) {
    const { map, phrases } = synonymMap(synonyms)
    const tokens = query.replace(/[가-힣]+/g, stripParticle).split(/\s+/).filter(Boolean)
    const words = []
    const added = []
    for (const token of tokens) {
      const docker = map.get(token.toLowerCase())
      if (docker !== undefined && token.startsWith("-")) {
        words.push(docker)
        continue
      }
      words.push(token)
      if (docker !== undefined && !added.includes(docker)) added.push(docker)
    }
    const lowered = tokens.map((token) => token.toLowerCase())
    for (const [phrase, docker] of phrases)
      if (inARow(lowered, phrase) && !added.includes(docker)) added.push(docker)
    return [...words, ...added.filter((word) => !words.includes(word))].join(" ")
  }

  // Material talks to its worker with postMessage; the prototype also covers a worker
  // created before this script ran.
  if (typeof Worker !== "undefined") {
    const post = Worker.prototype.postMessage
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message && message.type === SEARCH_QUERY && typeof message.data === "string")
        message = { ...message, data: koreanQuery(message.data) }
      return post.call(this, message, ...rest)
    }
  }

  if (typeof module !== "undefined")
    module.exports = { koreanQuery, PARTICLES, SYNONYMS }
})()
