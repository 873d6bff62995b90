"""Regenerates the CLIP tokenizer golden and the Python-derived Unicode table of the TypeScript tokenizer.

    /work/pyenv/bin/python test/golden/generate_tokenizer.py

Writes test/golden/tokenizer.json (ids from transformers' slow CLIPTokenizer on assets/clip-tokenizer) and
native/lib/tokenizer/unicode-py311.ts. Needs no torch. ftfy must NOT be installed: without it the slow tokenizer
cleans text with BERT's BasicTokenizer, which is the behaviour the product matches. See README-tokenizer.md.
"""

import hashlib
import json
import os
import platform
import random
import sys
import unicodedata

import regex
import transformers
from transformers import CLIPTokenizer
from transformers.tokenization_utils import Trie

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ASSETS = os.path.join(REPO, "assets", "clip-tokenizer")
GOLDEN = os.path.join(HERE, "tokenizer.json")
TABLE_TS = os.path.join(REPO, "native", "lib", "tokenizer", "unicode-py311.ts")
COMMAND = "/work/pyenv/bin/python test/golden/generate_tokenizer.py"
MAX_LENGTH = 77

LONG_PROMPT = (
    "masterpiece, best quality, ultra detailed, 8k uhd, dslr, soft lighting, high quality, film grain, "
    "Fujifilm XT3, portrait of a young woman with freckles and red hair standing in a sunflower field at golden "
    "hour, wearing a white linen dress, shallow depth of field, bokeh, 85mm lens, f/1.4, highly detailed skin "
    "texture, subsurface scattering, cinematic color grading, trending on artstation, award winning photograph"
)

CORPUS = [
    "a photo of a cat",
    "",
    "   ",
    " \t\n\r\u3000 ",
    "A PHOTO OF A CAT",
    "  leading and trailing spaces  ",
    "runs   of\t\tspaces\n\nand\r\nnewlines",
    "tab\tseparated\tvalues",
    "MiXeD CaSe WoRdS",
    "masterpiece, best quality, ultra-detailed, 8k, RAW photo",
    "(masterpiece:1.2), (best quality:1.4), [dog|cat], {blue eyes}",
    "((((very detailed)))) [[[lowres]]] <lora:add_detail:0.8> (red:blue:0.5)",
    "!!!???...,,,;;;:: --- ___ *** ###",
    "it's, don't, you're, we've, I'm, we'll, she'd",
    "IT'S DON'T YOU'RE WE'VE I'M WE'LL SHE'D It'S dOn'T",
    "it’s don’t you’re I’m ‘quoted’",
    "rock'n'roll 'quoted' ''s ''' 'sup 'd've",
    "1024x768 resolution, 4k, 16:9, 3.14159, 2024-01-01, 100000000",
    "0123456789 ١٢٣ ४५६ Ⅻ ½ ² ①",
    "café naïve résumé Zürich Ångström",
    "cafe\u0301 nai\u0308ve A\u030angstro\u0308m",
    "e\u0301\u0301 double accents, ẛ\u0323 reorder, 각 jamo",
    "Straße STRASSE ẞ groß",
    "İstanbul ISTANBUL ıi I\u0307 İ",
    "ΟΔΟΣ Σίσυφος ΣΣ Σ. αΣ1 αΣ\u0301 ʕΣ",
    "Москва, красная площадь, ЁЛКА",
    "一只可爱的猫\uff0c高质量",
    "かわいい猫 カタカナ \uff76\uff80\uff76\uff85",
    "귀여운 고양이",
    "CJK ext B \U00020000 and compat \uf900 and ext I \U0002ebf0",
    "emoji 😀🎨🔥 cat🐱",
    "👨\u200d👩\u200d👧\u200d👦 family 👩🏽\u200d🚀 astronaut 👍🏿",
    "🏳\ufe0f\u200d🌈 flag 🇯🇵🇫🇷",
    "Unicode 15 emoji \U0001fae8 \U0001fa77 dropped by Python 3.11",
    "zero\u200bwidth\u200cjoiner\u200d space\ufeff soft\u00adhyphen",
    "control\u0000chars\u0007here\u001b[0m",
    "a\u000bb\u000cc\u001cd\u0085e vertical tab and friends",
    "replacement \ufffd char \ufffd\ufffd",
    "lone surrogate \ud800 here \udfff",
    "non\u00a0breaking\u2003em\u3000ideographic\u202fnarrow",
    "line\u2028separator\u2029paragraph",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３",
    "Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#39; &nbsp;",
    "https://example.com/path?query=1&x=2#frag www.test.org",
    "user@example.com #hashtag @mention $100 50% ^caret ~tilde `tick`",
    "hyphen-ated under_scored slash/ed back\\slash",
    "snake_case CamelCase kebab-case SCREAMING_CASE",
    "ellipsis… — dashes – «quotes» „German“ “double”",
    "it'\u017f long s, ﬁne ﬂower ligatures",
    "\u212a Kelvin \u212b angstrom \u2126 ohm",
    "a\u0345b ᾳ α\u0345 ypogegrammeni",
    "ǅ ǈ ǋ titlecase digraphs",
    "Ⓐⓑ circled letters Ⅻ roman",
    "Arabic: قطة جميلة Hebrew: חתול",
    "Hindi: बिल्ली Thai: แมว",
    "math: ∑∫√∞ ≈ ≠ ± × ÷",
    "currency: €100 £50 ¥1000 ₹",
    "😀",
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "a,b,c,d,e,f",
    LONG_PROMPT,
    "a " * 100,
    " ".join(["cat"] * 75),
    " ".join(["cat"] * 76),
    "<|endoftext|> inside text",
    "a photo<|startoftext|>of a cat<|endoftext|>",
    "<|endoftext|><|endoftext|>",
    "<|STARTOFTEXT|> and <|EndOfText|>",
    "<|start\u200boftext|> <|\u017ftartoftext|>",
    "<|endoftext| <|endoftext <endoftext|> <|endof text|>",
    "portrait of a woman, 85mm, f/1.8, bokeh, golden hour, (freckles:0.8), by greg rutkowski",
    "lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, "
    "worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, username, blurry",
    "photo of sks dog, <sks> <style1>",
    "</w> literal end-of-word marker",
]

ADDED_TOKENS = ["<sks>", "<style1>"]
ADDED_CASES = [
    "a photo of <sks> person",
    "<sks>",
    "<sks>person",
    "<sks>, <style1>",
    "A PHOTO OF <SKS>",
    "<SKS> <Sks> <sks >",
    "a photo of a <sks> person in the style of <style1>",
    "a photo of  <sks>  person",
    "a photo of \t<sks>\n person",
    "<sks> at the start",
    "at the end <sks>",
    "  <sks>  ",
    "<sks><style1>",
    "<sks><sks>",
    "<sks",
    "<sk<sks>",
    "<style1>2 <style12> <style1",
    "photo of <sks>dog, style <style1>, <|endoftext|> tail",
    "café<sks>été 猫<sks>猫",
    " ".join(["cat"] * 74) + " <sks> <style1>",
]

MORE_ADDED = [
    {
        "note": "a token already in the vocab keeps its id but is now split out of raw text",
        "tokens": ["cat"],
        "cases": ["concatenate", "a cat", "CAT", "cats and cat"],
    },
    {
        "note": "overlapping added tokens: the trie's longest-match lookahead",
        "tokens": ["<t1>", "<t1>x", "1>xy", "zz"],
        "cases": ["<t1>xyz", "<t1>xy", "a<t1>x<t1>", "<t1>", "1>xy", "<t<t1>x", "zzz", "zzzz"],
    },
]

# Decoding of byte sequences that are not valid UTF-8, or whose whitespace Python and JavaScript strip differently.
DECODE_BYTES = [
    b"\xc3", b"a\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xef\xbb\xbfbom", b"x\x1c", b"\xff\xfe", b"\xed\xa0\x80",
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def case(tok, text):
    ids = tok(text, padding="max_length", max_length=MAX_LENGTH, truncation=True)["input_ids"]
    unpadded = tok(text)["input_ids"]
    return {
        "text": text,
        "ids": ids,
        "tokens": tok.tokenize(text),
        "idsUnpadded": unpadded,
        "decoded": tok.decode(ids, skip_special_tokens=True),
        "decodedWithSpecial": tok.decode(unpadded),
    }


def load():
    return CLIPTokenizer(os.path.join(ASSETS, "vocab.json"), os.path.join(ASSETS, "merges.txt"))


def added_section(tokens, cases, note=None):
    tok = load()
    tok.add_tokens(tokens)
    out = {"tokens": tokens, "ids": tok.convert_tokens_to_ids(tokens), "cases": [case(tok, t) for t in cases]}
    return {"note": note, **out} if note else out


def decode_cases(tok):
    out = []
    for raw in DECODE_BYTES:
        chars = "".join(tok.byte_encoder[b] for b in raw)
        ids = tok.convert_tokens_to_ids(list(chars))
        out.append({"ids": ids, "skipSpecialTokens": False, "text": tok.decode(ids)})
    ids = tok("a <|endoftext|> b")["input_ids"]
    for skip in (False, True):
        out.append({"ids": ids, "skipSpecialTokens": skip, "text": tok.decode(ids, skip_special_tokens=skip)})
    return out


def leftmost_longest(tokens, text):
    out, i, last = [], 0, 0
    while i < len(text):
        best = max((t for t in tokens if text.startswith(t, i)), key=len, default=None)
        if best is None:
            i += 1
            continue
        out += ([text[last:i]] if last < i else []) + [best]
        i += len(best)
        last = i
    return out + ([text[last:]] if last < len(text) else [])


def trie_splits():
    """Random short cases for Trie.split; every one where its lookahead differs from a plain leftmost-longest
    split is kept (those are the quirks to reproduce), plus the first 150 ordinary ones."""
    rng = random.Random(0)
    quirks, ordinary = [], []
    for _ in range(5000):
        words = ("".join(rng.choice("abc") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 4)))
        tokens = sorted(set(words))
        text = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 12)))
        trie = Trie()
        for t in tokens:
            trie.add(t)
        pieces = trie.split(text)
        entry = {"tokens": tokens, "text": text, "pieces": pieces}
        (quirks if pieces != leftmost_longest(tokens, text) else ordinary).append(entry)
    return quirks + ordinary[:150]


# --- Unicode data -------------------------------------------------------------------------------------------------

WORD_PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE
)


def is_removed(c):
    """BasicTokenizer._clean_text drops \\0, U+FFFD and every category C* character except \\t \\n \\r."""
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def sigma_class(c):
    """How str.lower()'s Final_Sigma rule sees c: 'I' case-ignorable (skipped), 'C' cased, '' neither."""
    if ("1" + c + "\u03a3").lower().endswith("\u03c2"):
        return "C"
    if ("A" + c + "\u03a3").lower().endswith("\u03c2"):
        return "I"
    return ""


def word_class(c):
    """What the CLIP word pattern (regex module, IGNORECASE) does with c: L letter run, N single number,
    P punctuation run, '-' dropped. Defined by behaviour so the JS test can probe its own pattern the same way."""
    if not WORD_PATTERN.findall(c):
        return "-"
    if len(WORD_PATTERN.findall(c + c)) == 2:
        return "N"
    return "L" if len(WORD_PATTERN.findall(c + "a")) == 1 else "P"


def runs(values):
    """[[start, value], ...] over all code points, one entry where the value changes."""
    out = []
    for cp, v in enumerate(values):
        if not out or out[-1][1] != v:
            out.append([cp, v])
    return out


def ranges(flags):
    out = []
    for cp, f in enumerate(flags):
        if f and out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        elif f:
            out.append([cp, cp])
    return out


def unicode_data():
    chars = [chr(cp) for cp in range(0x110000)]
    removed = [is_removed(c) for c in chars]
    sigma = [sigma_class(c) for c in chars]
    dropped = [r or c == "\ufffd" for c, r in zip(chars, removed)]
    classes = ["x" if d else ("S" if c.isspace() else word_class(c)) for c, d in zip(chars, dropped)]
    kept = [c for c, d in zip(chars, dropped) if not d]
    lower = [[ord(c), c.lower()] for c in kept if c.lower() != c]
    nfc = [[ord(c), unicodedata.normalize("NFC", c)] for c in kept if unicodedata.normalize("NFC", c) != c]
    return removed, sigma, classes, lower, nfc


def write_table(removed, sigma):
    def block(name, doc, rs):
        lines = [f"/** {doc} */", f"export const {name}: readonly number[] = ["]
        flat = [f"0x{v:x}" for r in rs for v in r]
        for i in range(0, len(flat), 12):
            lines.append("  " + ", ".join(flat[i : i + 12]) + ",")
        lines.append("];")
        return "\n".join(lines)

    body = [
        "// GENERATED by test/golden/generate_tokenizer.py from Python "
        f"{platform.python_version()} (unicodedata {unicodedata.unidata_version}). Do not edit.",
        "// Ranges are flat [first, last, first, last, ...] code point pairs, sorted.",
        "// Python, not the JavaScript runtime, decides these: the reference tokenizer drops every code point that",
        "// its own Unicode version calls C* (so emoji newer than that version vanish), and str.lower()'s Final_Sigma",
        "// rule uses its own Cased / Case_Ignorable data.",
        "",
        f"export const PYTHON_UNICODE_VERSION = '{unicodedata.unidata_version}';",
        "",
        block("REMOVED_RANGES", "Category C* except \\t \\n \\r: dropped by BasicTokenizer._clean_text.",
              ranges(removed)),
        "",
        block("SIGMA_CASE_IGNORABLE_RANGES", "Skipped when str.lower() looks for Final_Sigma context.",
              ranges([s == "I" for s in sigma])),
        "",
        block("SIGMA_CASED_RANGES", "Cased (and not case-ignorable) for str.lower()'s Final_Sigma rule.",
              ranges([s == "C" for s in sigma])),
        "",
    ]
    with open(TABLE_TS, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(body))


def dump(value, depth=0):
    """JSON with one line per case / list row, so diffs of a regenerated golden stay readable."""
    pad = " " * (depth + 1)
    if isinstance(value, dict) and depth < 2:
        items = [f"{pad}{json.dumps(k)}: {dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        items = [pad + (dump(v, depth + 1) if isinstance(v, dict) and depth < 1 else json.dumps(v)) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return json.dumps(value, ensure_ascii=True)


def main():
    try:
        import ftfy  # noqa: F401

        sys.exit("ftfy is installed: the slow CLIPTokenizer would use it instead of BasicTokenizer; uninstall it")
    except ImportError:
        pass

    tok = load()
    if tok.fix_text is not None:
        sys.exit("CLIPTokenizer is not using BasicTokenizer")
    removed, sigma, classes, lower, nfc = unicode_data()
    write_table(removed, sigma)

    golden = {
        "generatedBy": COMMAND,
        "versions": {
            "python": platform.python_version(),
            "unicodedata": unicodedata.unidata_version,
            "transformers": transformers.__version__,
            "regex": regex.__version__,
            "tokenizer": "CLIPTokenizer (slow), BasicTokenizer cleaning (no ftfy)",
            "vocabJsonSha256": sha256(os.path.join(ASSETS, "vocab.json")),
            "mergesTxtSha256": sha256(os.path.join(ASSETS, "merges.txt")),
        },
        "maxLength": MAX_LENGTH,
        "vocabSize": tok.vocab_size,
        "specialIds": {"bos": tok.bos_token_id, "eos": tok.eos_token_id, "pad": tok.pad_token_id,
                       "unk": tok.unk_token_id},
        "cases": [case(tok, t) for t in CORPUS],
        "addedTokens": added_section(ADDED_TOKENS, ADDED_CASES),
        "moreAddedTokens": [added_section(m["tokens"], m["cases"], m["note"]) for m in MORE_ADDED],
        "decodeCases": decode_cases(tok),
        "trieSplits": trie_splits(),
        "unicode": {
            "note": "per code point, from this Python: x dropped by cleaning, S whitespace, L/N/P the CLIP word "
                    "pattern's letter/number/punctuation classes, - matched by nothing; lower = str.lower() and "
                    "nfc = NFC where they change a kept character",
            "classRuns": runs(classes),
            "lower": lower,
            "nfc": nfc,
        },
    }
    with open(GOLDEN, "w", encoding="utf-8", newline="\n") as f:
        f.write(dump(golden) + "\n")
    print(f"{len(CORPUS)} cases, {len(ADDED_CASES)} added-token cases -> {GOLDEN}")
    print(f"unicode table -> {TABLE_TS}")


if __name__ == "__main__":
    main()
