"""grep's own test suites, ported: ripgrep's (tests/misc.rs, feature.rs, regression.rs) and
GNU grep's (tests/foad1, yesno, context-0, max-count-*, empty, empty-line, word-*).

Each case is the suite's input file, flags and pattern, and its expected output and exit
status.  ``corpus grep`` must give that answer (in process through the CLI runner, and a
sample as a real ``corpus`` process writing into a pipe); so must GNU grep and ripgrep,
where the case lists them as peers (a check that the case was ported faithfully; a peer
missing from PATH is skipped).  The case ids name the suite and the test they come from.

Translation between the tool and grep:

* The tool searches ``--corpus DIR/in.txt``, one document with id ``in``.  Its pipe output
  ``in:LINE:TEXT`` (a context line ``in-LINE-TEXT``; ``in:COUNT`` with ``-c``; ``in`` with
  ``-l``) is compared as grep's single-file output ``LINE:TEXT``, ``LINE-TEXT``, ``COUNT``,
  ``in.txt``: the ``in:``/``in-`` prefix is dropped, ``--`` stays.
* Line numbers are on by default in the tool, off in grep: a case without ``-n`` runs the
  tool with ``-N``.
* GNU grep runs in ``LC_ALL=C.UTF-8`` with ``-E`` (``-P`` where the pattern has ``\\d``)
  unless the case gives ``-F``; ripgrep with ``--no-config``.  grep's ``-NUM`` is
  ``-C NUM`` for the tool and ripgrep.
* The tool takes one PATTERN: grep's several ``-e P`` are one ``P1|P2`` for it, ``-x P`` is
  ``^(?:P)$``; the peers get the suite's own arguments.
* foad1 separates lines with ``/`` (``slashes``); yesno spells its outputs with tokens
  (``$rB`` a context line, ``$c`` an ``-o`` match, ``$s`` a ``--``, ``$z0`` the exit status),
  expanded by ``yesno_expected`` without grep's ``-b`` byte offsets.

Left out (flags and situations the tool does not have): ``-b``, ``-H``/``-h``,
``--color`` escapes, ``-f``, patterns holding a newline (several patterns in grep),
``--group-separator``, ``-r`` (replace), ``-z``, ``--column``, ``--passthru``, encodings,
ignore files, file types and globs, symbolic links, stdin left positioned after ``-m``
(max-count-overread's ``yes x |``: the tool reads a corpus, not a stream), and foad1's
case folding of ı İ ſ ι Ω K Å, which follows the locale (cs_CZ.UTF-8) and GNU's
per-character rule (only İ/I and ñÿ are ported).

Deliberate differences, each with its test:

+-------------------------------------+----------------------------------------------------------------------+
| grep / ripgrep                      | corpus grep, and its test                                            |
+=====================================+======================================================================+
| Text as written.                    | Normalized text (--norm standard): diacritics, tatweel and invisible |
|                                     | characters ignored, alef/hamza variants and Arabic-Indic digits      |
|                                     | folded; -o prints the original text; --norm none matches as grep     |
|                                     | does.                                                                |
|                                     | test_normalization_finds_what_grep_does_not                          |
+-------------------------------------+----------------------------------------------------------------------+
| -w: GNU grep splits a word at a     | Marks and invisible joiners inside a word are part of it (ripgrep's  |
| zero-width (non-)joiner.            | Unicode \\w agrees).                                                 |
|                                     | test_word_keeps_invisible_joiners_inside_the_word                    |
+-------------------------------------+----------------------------------------------------------------------+
| CRLF keeps its CR (Sherlock$ fails, | CRLF and a lone CR are line ends, read as \\n.                       |
| the CR is printed); a lone CR is a  | test_crlf_and_lone_cr_are_line_ends                                  |
| character.                          |                                                                      |
+-------------------------------------+----------------------------------------------------------------------+
| A leading UTF-8 BOM is text to GNU  | Dropped, as ripgrep does.                                            |
| grep.                               | Case rg-regression-r1163-bom                                         |
+-------------------------------------+----------------------------------------------------------------------+
| A file with a NUL byte: "binary     | Skipped with one warning, wherever the NUL is.                       |
| file matches".                      | test_binary_file_is_skipped_with_a_warning                           |
+-------------------------------------+----------------------------------------------------------------------+
| -c prints 0 for a file without a    | Such documents are left out, as ripgrep does.                        |
| match (GNU).                        | test_count_leaves_out_documents_without_a_match                      |
+-------------------------------------+----------------------------------------------------------------------+
| POSIX leftmost-longest alternation  | The regex module's leftmost-first, as ripgrep: cc.                   |
| (GNU): bb|cc|ccc matches ccc.       | test_alternation_is_leftmost_first                                   |
+-------------------------------------+----------------------------------------------------------------------+
| GNU's \\< and \\> word anchors.     | Not anchors in the regex module's syntax (\\< is <): -w or \\b       |
|                                     | instead.                                                             |
|                                     | test_gnu_word_anchors_are_not_anchors                                |
+-------------------------------------+----------------------------------------------------------------------+
| -x, -f, -b, -H, -E, -P, -NUM,       | Not options: ^...$ for -x, one syntax, the output always names the   |
| --group-separator.                  | document; -h is --help.                                              |
|                                     | test_flags_the_tool_does_not_have_are_refused                        |
+-------------------------------------+----------------------------------------------------------------------+

Where ripgrep's suite and GNU grep's disagree, the case follows GNU grep and names only it
as a peer: ``-o`` prints no empty match (foad1 ``y*``; ripgrep's r1891 prints them),
``-c -o`` counts lines (ripgrep's count_matches_via_only counts matches; the tool has
``--count-matches`` for that), and ``-C 0`` puts ``--`` between groups (context-0;
ripgrep's r553 does not).  The ripgrep installed here (13) also predates some of its
suite's fixes (word_period, f2288, r2480, r2574): it is not their peer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import SCRIPT, Invoke, clean_env, run_corpus

GREP = shutil.which("grep")
RG = shutil.which("rg")
#: grep and ripgrep run in the environment of corpus, in a UTF-8 locale.
PEER_ENV = clean_env({"LC_ALL": "C.UTF-8"})


def _gnu_grep_in_utf8() -> bool:
    """GNU grep that reads UTF-8 as characters in ``LC_ALL=C.UTF-8``."""
    if GREP is None:
        return False
    done = subprocess.run([GREP, "-o", "."], input="é\n".encode(), capture_output=True, env=PEER_ENV)
    version = subprocess.run([GREP, "--version"], capture_output=True, text=True, env=PEER_ENV).stdout
    return "GNU grep" in version and done.stdout == "é\n".encode()


GNU = _gnu_grep_in_utf8()

SHERLOCK = """\
For the Doctor Watsons of this world, as opposed to the Sherlock
Holmeses, success in the province of detective work must always
be, to a very large extent, the result of luck. Sherlock Holmes
can extract a clew from a wisp of straw or a flake of cigar ash;
but Doctor Watson has to have it taken out for him and dusted,
and exhibited clearly, with a label attached.
"""
S = SHERLOCK.splitlines(keepends=True)


def slashes(text: str) -> str:
    """foad1's spelling: ``/`` ends a line."""
    return text.replace("/", "\n")


class Case(NamedTuple):
    id: str
    text: str | bytes
    flags: tuple[str, ...]
    #: One pattern, or grep's several ``-e`` patterns (the tool gets ``tool_pattern``).
    pattern: str | tuple[str, ...]
    expected: str
    code: int | None = None  # None: 0 when something is expected, else 1
    peers: tuple[str, ...] = ("grep", "rg")
    tool_pattern: str | None = None
    tool_flags: tuple[str, ...] | None = None
    gnu_syntax: str = "-E"

    @property
    def status(self) -> int:
        return self.code if self.code is not None else (0 if self.expected else 1)


def _yesno_cases() -> list[Case]:
    """GNU grep's tests/yesno: ``grep -F -n -b OPTS yes`` on fourteen lines.

    ripgrep answers otherwise where ``-o`` meets ``-C`` or ``-v`` (it prints whole lines)
    and where ``-m`` meets ``-C`` (it marks a match in the trailing context as selected):
    only GNU grep is the peer there.
    """
    rows = [
        ("", "$C$D$E$H$I$M$N$z0"),
        ("-o", "$c$d$e$h$i$m$n$z0"),
        ("-C,1", "$rB$C$D$E$rF$rG$H$I$rJ$s$rL$M$N$z0"),
        ("-C,1,-o", "$c$d$e$h$i$s$m$n$z0"),
        ("-C,4,-1", "$rB$C$D$E$rF$rG$H$I$rJ$s$rL$M$N$z0"),
        ("-m,4", "$C$D$E$H$z0$XI$XJ$XK$XL$XM$XN"),
        ("-m,4,-o", "$c$d$e$h$z0$XI$XJ$XK$XL$XM$XN"),
        ("-m,4,-C,1", "$rB$C$D$E$rF$rG$H$rI$z0$XI$XJ$XK$XL$XM$XN"),
        ("-m,4,-C,1,-o", "$c$d$e$h$z0$XI$XJ$XK$XL$XM$XN"),
        ("-m,5", "$C$D$E$H$I$z0$XJ$XK$XL$XM$XN"),
        ("-m,5,-o", "$c$d$e$h$i$z0$XJ$XK$XL$XM$XN"),
        ("-m,5,-C,1,-o", "$c$d$e$h$i$z0$XJ$XK$XL$XM$XN"),
        ("-m,6", "$C$D$E$H$I$M$z0$XN"),
        ("-m,6,-o", "$c$d$e$h$i$m$z0$XN"),
        ("-m,6,-C,1", "$rB$C$D$E$rF$rG$H$I$rJ$s$rL$M$rN$z0$XN"),
        ("-m,6,-C,1,-o", "$c$d$e$h$i$s$m$z0$XN"),
        ("-v", "$A$B$F$G$J$K$L$z0"),
        ("-v,-o", "$z0"),
        ("-v,-C,1", "$A$B$rC$s$rE$F$G$rH$rI$J$K$L$rM$z0"),
        ("-v,-C,1,-o", "$rc$s$re$rh$ri$rm$z0"),
        ("-4,-1", "$rB$C$D$E$rF$rG$H$I$rJ$s$rL$M$N$z0"),
        ("-4,-v,-1", "$A$B$rC$s$rE$F$G$rH$rI$J$K$L$rM$z0"),
        ("-m,1,-v", "$A$z0$XB$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,1,-v,-o", "$z0$XB$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,1,-v,-C,1", "$A$rB$z0$XB$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,1,-v,-C,1,-o", "$z0$XB$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,2,-v", "$A$B$z0$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,2,-v,-o", "$z0$XC$XD$XE$XF$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,3,-v", "$A$B$F$z0$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,3,-v,-o", "$z0$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,3,-v,-C,1", "$A$B$rC$s$rE$F$rG$z0$XG$XH$XI$XJ$XK$XL$XM$XN"),
        ("-m,3,-v,-C,1,-o", "$rc$s$re$z0$XG$XH$XI$XJ$XK$XL$XM$XN"),
    ]
    cases = []
    for opts, spec in rows:
        flags = opts.split(",") if opts else []
        rg_differs = ("-o" in flags and ("-C" in flags or "-v" in flags)) or ("-m" in flags and "-C" in flags)
        name = f"gnu-yesno{opts.replace(',', '') or '-plain'}"
        expected, status = yesno_expected(spec)
        peers = ("grep",) if rg_differs else ("grep", "rg")
        cases.append(Case(name, YESNO, ("-F", "-n", *flags), "yes", expected, status, peers))
    return cases


#: yesno.txt as the suite writes it.
YESNO_LINES = [
    "[A01 no ]", "[B02 no ]", "[C03 yes]", "[D04 yes]", "[E05 yes]", "[F06 no ]", "[G07 no ]",
    "[H08 yes]", "[I09 yes]", "[J10 no ]", "[K11 no ]", "[L12 no ]", "[M13 yes]", "[N14 yes]",
]  # fmt: skip
YESNO = "".join(line + "\n" for line in YESNO_LINES)


def yesno_expected(spec: str) -> tuple[str, int]:
    """yesno's tokens as output lines (``-n`` without ``-b``) and the exit status.

    ``$X``: line X selected; ``$rX``: X as context; ``$x``/``$rx``: X's ``yes`` as an
    ``-o`` match or context; ``$s``: ``--``; ``$zN``: exit status N; ``$XY``: what stdin
    still holds after grep stopped (left out: the tool reads the whole corpus).
    """
    lines: list[str] = []
    status = -1
    for token in spec.split("$")[1:]:
        if token.startswith("z"):
            status = int(token[1:])
        elif token.startswith("X"):
            continue
        elif token == "s":
            lines.append("--")
        else:
            sep = "-" if token.startswith("r") else ":"
            letter = token[-1]
            n = "abcdefghijklmn".index(letter.lower()) + 1
            text = YESNO_LINES[n - 1] if letter.isupper() else "yes"
            lines.append(f"{n}{sep}{text}")
    return "".join(line + "\n" for line in lines), status


def _cases() -> list[Case]:
    foad = slashes
    x0, x1, x2, x3 = "a bb ccc dddd/", "dddd ccc bb a/", "bcd abcd abc bc bcd abc/", "bc abcd bc/"
    needles = "needle\n1st line of context\n2nd line of context\n3rd line of context\nanother needle\n"
    needles += "5th line of context relative to first match\n6th line...\n"
    r156 = (
        "#parse('widgets/foo_bar_macros.vm')\n#parse ( 'widgets/mobile/foo_bar_macros.vm' )\n"
        '#parse ("widgets/foobarhiddenformfields.vm")\n#parse ( "widgets/foo_bar_legal.vm" )\n'
        "#include( 'widgets/foo_bar_tips.vm' )\n#include('widgets/mobile/foo_bar_macros.vm')\n"
        '#include ("widgets/mobile/foo_bar_resetpw.vm")\n'
    )
    r1559 = (
        'type A struct {\n\tTaskID int `json:"taskID"`\n}\n\ntype B struct {\n'
        '\tObjectID string `json:"objectID"`\n\tTaskID   int    `json:"taskID"`\n}\n'
    )
    cases = [
        # ---------------------------------------------------------------- GNU grep: foad1
        Case("gnu-foad1-o-i-word", foad("WordA/wordB/WORDC/"), ("-o", "-i"), "word", foad("Word/word/WORD/")),
        Case("gnu-foad1-o-i-Word", foad("WordA/wordB/WORDC/"), ("-o", "-i"), "Word", foad("Word/word/WORD/")),
        Case("gnu-foad1-o-i-WORD", foad("WordA/wordB/WORDC/"), ("-o", "-i"), "WORD", foad("Word/word/WORD/")),
        Case("gnu-foad1-o-n", foad("wA wB/wC/"), ("-o", "-n"), "w.", foad("1:wA/1:wB/2:wC/")),
        Case("gnu-foad1-o-n-i", foad("wA wB/wC/"), ("-o", "-n", "-i"), "w.", foad("1:wA/1:wB/2:wC/")),
        Case("gnu-foad1-o-n-3", foad("wA wB/wC/"), ("-o", "-n", "-3"), "w.", foad("1:wA/1:wB/2:wC/")),
        Case("gnu-foad1-plain", foad("wA wB/"), (), "w.", foad("wA wB/")),
        Case("gnu-foad1-star-after-anchor", foad("word_word/"), ("-o",), "^word_*", foad("word_/")),
        *(
            Case(
                f"gnu-foad1-m1-A99-{pattern}-{text.split('/')[1]}",
                foad(text),
                ("-m", "1", "-A", "99"),
                pattern,
                foad(text),
            )
            for pattern in ("^4$", "^4", "4$")
            for text in ("4/40/", "4/04/", "4/444/")
        ),
        Case(
            "gnu-foad1-wF-e-A-e-B-e-C",
            foad("A/CX/B/C/"),
            ("-w", "-F"),
            ("A", "B", "C"),
            foad("A/B/C/"),
            tool_pattern="A|B|C",
            tool_flags=("-w",),
        ),
        Case(
            "gnu-foad1-wF-no-word",
            foad("LIN7C 55327/"),
            ("-w", "-F"),
            ("5327", "5532"),
            "",
            tool_pattern="5327|5532",
            tool_flags=("-w",),
        ),
        Case("gnu-foad1-o-empty-matches", foad("xyz/"), ("-o",), "y*", foad("y/"), peers=("grep",)),
        Case(
            "gnu-foad1-ow-bb-ccc",
            foad(x0),
            ("-o", "-w"),
            ("bb", "ccc"),
            foad("bb/ccc/"),
            tool_pattern="bb|ccc",
        ),
        Case(
            "gnu-foad1-ow-ccc-bb",
            foad(x1),
            ("-o", "-w"),
            ("ccc", "bb"),
            foad("ccc/bb/"),
            tool_pattern="ccc|bb",
        ),
        Case("gnu-foad1-ow-bc", foad(x2), ("-o", "-w"), "bc", foad("bc/")),
        Case("gnu-foad1-oFw-bc", foad(x3), ("-o", "-F", "-w"), "bc", foad("bc/bc/")),
        Case(
            "gnu-foad1-tar-tbz",
            foad(".tar/"),
            (),
            (r"\.tar", r"\.tbz"),
            foad(".tar/"),
            tool_pattern=r"\.tar|\.tbz",
        ),
        Case(
            "gnu-foad1-o-tar",
            foad(".tar/"),
            ("-o",),
            (r"\.tar", "tar"),
            foad(".tar/"),
            tool_pattern=r"\.tar|tar",
        ),
        Case(
            "gnu-foad1-o-escapes",
            "$*.[^\\\n",
            ("-o",),
            (r"\$\*\.\[\^\\", "abc"),
            "$*.[^\\\n",
            tool_pattern=r"\$\*\.\[\^\\|abc",
        ),
        Case(
            "gnu-foad1-o-escapes-E",
            "$*.[^\\(+?{|\n",
            ("-o",),
            (r"\$\*\.\[\^\\", r"\(\+\?\{\|"),
            "$*.[^\\\n(+?{|\n",
            tool_pattern=r"\$\*\.\[\^\\|\(\+\?\{\|",
        ),
        Case("gnu-foad1-posix-class", foad("[/"), (), "[[:alpha:]]", ""),
        *(
            Case(
                f"gnu-foad1-o-i{flag}-{pattern}",
                foad("añÿb/AÑŸB/"),
                ("-o", "-i", *flag),
                pattern,
                foad("ñÿ/ÑŸ/"),
            )
            for pattern in ("ñÿ", "ÑŸ")
            for flag in ((), ("-F",))
        ),
        Case("gnu-foad1-i-I-dotted-capital", foad("aİb/"), ("-i",), "I", ""),
        # ------------------------------------------------- GNU grep: context-0, max-count-*
        Case(
            "gnu-context-0", needles, ("-C", "0"), "needle", "needle\n--\nanother needle\n", peers=("grep",)
        ),
        Case(
            "gnu-max-count-vs-context",
            needles,
            ("-m", "1", "-A", "5"),
            "needle",
            "".join(needles.splitlines(keepends=True)[:6]),
        ),
        Case("gnu-max-count-overread-l", "x\n", ("-l", "-m", "1"), ".", "in.txt\n"),
        Case("gnu-max-count-overread-q", "x\n", ("-q", "-m", "1"), ".", "", code=0),
        # --------------------------------------------------------- GNU grep: empty, empty-line
        Case("gnu-empty-E-empty-line", "\n", (), "", "\n", code=0),
        Case("gnu-empty-F-empty-line", "\n", ("-F",), "", "\n", code=0),
        Case("gnu-empty-E-abcd", "abcd\n", (), "", "abcd\n"),
        Case("gnu-empty-F-abcd", "abcd\n", ("-F",), "", "abcd\n"),
        Case("gnu-empty-Ew-empty-line", "\n", ("-w",), "", "\n", code=0),
        Case("gnu-empty-Fw-empty-line", "\n", ("-w", "-F"), "", "\n", code=0),
        Case("gnu-empty-Ew-abcd", "abcd\n", ("-w",), "", ""),
        Case("gnu-empty-Fw-abcd", "abcd\n", ("-w", "-F"), "", ""),
        Case(
            "gnu-empty-Ex-empty-line", "\n", ("-x",), "", "\n", code=0, tool_pattern="^(?:)$", tool_flags=()
        ),
        Case("gnu-empty-Ex-abcd", "abcd\n", ("-x",), "", "", tool_pattern="^(?:)$", tool_flags=()),
        Case("gnu-empty-line-backreference", "abc\n", (), r"()\1", "abc\n", peers=("grep",)),
        # ---------------------------------------------------------------- GNU grep: word-*
        Case("gnu-word-delim-multibyte-w", "é\n", ("-w",), "é", "é\n"),
        Case("gnu-word-delim-multibyte-boundary", "123-x\n", (), r".\bx", "123-x\n"),
        Case("gnu-word-delim-multibyte-cone", "a ícone b\n", ("-w",), "cone", ""),
        Case("gnu-word-delim-multibyte-cone-i", "a ícone b\n", ("-w", "-i"), "cone", ""),
        Case("gnu-word-multibyte-w", "é\n", (), r"\w", "é\n"),
        Case("gnu-word-multibyte-W", "é\n", (), r"\W", ""),
        # ------------------------------------------------------------------- ripgrep: misc.rs
        Case("rg-misc-single_file", SHERLOCK, (), "Sherlock", S[0] + S[2]),
        Case("rg-misc-line_numbers", SHERLOCK, ("-n",), "Sherlock", "1:" + S[0] + "3:" + S[2]),
        Case("rg-misc-inverted", SHERLOCK, ("-v",), "Sherlock", S[1] + S[3] + S[4] + S[5]),
        Case(
            "rg-misc-inverted_line_numbers",
            SHERLOCK,
            ("-n", "-v"),
            "Sherlock",
            "2:" + S[1] + "4:" + S[3] + "5:" + S[4] + "6:" + S[5],
        ),
        Case("rg-misc-case_insensitive", SHERLOCK, ("-i",), "sherlock", S[0] + S[2]),
        Case("rg-misc-word", SHERLOCK, ("-w",), "as", S[0]),
        Case("rg-misc-word_period", "...", ("-o", "-w"), ".", ".\n.\n.\n", peers=("grep",)),
        Case(
            "rg-misc-line",
            SHERLOCK,
            ("-x",),
            "Watson|and exhibited clearly, with a label attached.",
            S[5],
            tool_pattern="^(?:Watson|and exhibited clearly, with a label attached.)$",
            tool_flags=(),
        ),
        Case("rg-misc-literal", "blib\n()\nblab\n", ("-F",), "()", "()\n"),
        Case("rg-misc-quiet", SHERLOCK, ("-q",), "Sherlock", "", code=0),
        Case("rg-misc-count", SHERLOCK, ("-c",), "Sherlock", "2\n"),
        Case("rg-misc-count_matches", SHERLOCK, ("--count-matches",), "the", "4\n", peers=("rg",)),
        Case(
            "rg-misc-count_matches_inverted",
            SHERLOCK,
            ("--count-matches", "-v"),
            "Sherlock",
            "4\n",
            peers=("rg",),
        ),
        Case("rg-misc-count_matches_via_only", SHERLOCK, ("-c", "-o"), "the", "3\n", peers=("grep",)),
        Case("rg-misc-files_with_matches", SHERLOCK, ("-l",), "Sherlock", "in.txt\n"),
        Case("rg-misc-after_context", SHERLOCK, ("-A", "1"), "Sherlock", "".join(S[:4])),
        Case(
            "rg-misc-after_context_line_numbers",
            SHERLOCK,
            ("-A", "1", "-n"),
            "Sherlock",
            "1:" + S[0] + "2-" + S[1] + "3:" + S[2] + "4-" + S[3],
        ),
        Case("rg-misc-before_context", SHERLOCK, ("-B", "1"), "Sherlock", "".join(S[:3])),
        Case(
            "rg-misc-before_context_line_numbers",
            SHERLOCK,
            ("-B", "1", "-n"),
            "Sherlock",
            "1:" + S[0] + "2-" + S[1] + "3:" + S[2],
        ),
        Case("rg-misc-context", SHERLOCK, ("-C", "1"), "world|attached", S[0] + S[1] + "--\n" + S[4] + S[5]),
        Case(
            "rg-misc-context_line_numbers",
            SHERLOCK,
            ("-C", "1", "-n"),
            "world|attached",
            "1:" + S[0] + "2-" + S[1] + "--\n5-" + S[4] + "6:" + S[5],
        ),
        # ---------------------------------------------------------------- ripgrep: feature.rs
        Case("rg-feature-f34_only_matching", SHERLOCK, ("-o",), "Sherlock", "Sherlock\nSherlock\n"),
        Case("rg-feature-f159_max_count", "test\ntest", ("-m", "1"), "test", "test\n"),
        Case("rg-feature-f159_max_count_zero", "test\ntest", ("-m", "0"), "test", ""),
        Case("rg-feature-f948_exit_code_match", SHERLOCK, (), ".", SHERLOCK),
        Case("rg-feature-f948_exit_code_no_match", SHERLOCK, (), "NADA", ""),
        Case("rg-feature-f948_exit_code_error", SHERLOCK, (), "*", "", code=2, peers=("rg",)),
        Case(
            "rg-feature-f2288_context_partial_override",
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
            ("-C", "1", "-A", "2"),
            "5",
            "4\n5\n6\n7\n",
            peers=("grep",),
        ),
        Case(
            "rg-feature-f2288_context_partial_override_rev",
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
            ("-A", "2", "-C", "1"),
            "5",
            "4\n5\n6\n7\n",
            peers=("grep",),
        ),
        Case(
            "rg-feature-context_sep_default",
            "foo\nctx\nbar\nctx\nfoo\nctx",
            ("-A", "1"),
            "foo",
            "foo\nctx\n--\nfoo\nctx\n",
        ),
        # ------------------------------------------------------------- ripgrep: regression.rs
        Case(
            "rg-regression-r93", "192.168.1.1", (), r"(\d{1,3}\.){3}\d{1,3}", "192.168.1.1\n", gnu_syntax="-P"
        ),
        Case("rg-regression-r128", b"01234567\x0b\n\x0b\n\x0b\n\x0b\nx", ("-n",), "x", "5:x\n"),
        Case(
            "rg-regression-r156",
            r156,
            (),
            r"""#(?:parse|include)\s*\(\s*(?:"|')[./A-Za-z_-]+(?:"|')""",
            r156,
            gnu_syntax="-P",
        ),
        Case("rg-regression-r199", "tEsT", ("-i",), r"\btest\b", "tEsT\n"),
        Case("rg-regression-r251", "привет\nПривет\nПрИвЕт", ("-i",), "привет", "привет\nПривет\nПрИвЕт\n"),
        Case("rg-regression-r270", "-test", (), "-test", "-test\n"),
        Case("rg-regression-r279", "test", ("-q",), "test", "", code=0),
        Case("rg-regression-r451_only_matching_as_in_issue", "1 2 3\n", ("-o",), "[0-9]+", "1\n2\n3\n"),
        Case(
            "rg-regression-r451_only_matching",
            "1 2 3\n123\n",
            ("-o", "-n"),
            "[0-9]",
            "1:1\n1:2\n1:3\n2:1\n2:2\n2:3\n",
        ),
        Case("rg-regression-r493", "peshwaship 're seminomata", ("-o",), r"\b 're \b", " 're \n"),
        Case(
            "rg-regression-r506_word_not_parenthesized",
            "min minimum amin\nmax maximum amax",
            ("-w", "-o"),
            "min|max",
            "min\nmax\n",
        ),
        Case("rg-regression-r553_switch", SHERLOCK, ("-i", "-i"), "sherlock", S[0] + S[2]),
        Case("rg-regression-r693_context_in_contextless_mode", "xyz\n", ("-C", "1", "-c"), "xyz", "1\n"),
        Case("rg-regression-r1064", "abc", (), "a(.*c)", "abc\n"),
        Case(
            "rg-regression-r1163-bom",
            "\ufefftest123\ntest123",
            (),
            "^test123",
            "test123\ntest123\n",
            peers=("rg",),
        ),
        Case(
            "rg-regression-r1203_reverse_suffix_literal-00",
            "153.230000\n",
            (),
            r"\d\d\d00",
            "153.230000\n",
            gnu_syntax="-P",
        ),
        Case(
            "rg-regression-r1203_reverse_suffix_literal-000",
            "153.230000\n",
            (),
            r"\d\d\d000",
            "153.230000\n",
            gnu_syntax="-P",
        ),
        Case(
            "rg-regression-r1319",
            "CCAGCTACTCGGGAGGCTGAGGCTGGAGGATCGCTTGAGTCCAGGAGTTC",
            (),
            "TTGAGTCCAGGAG[ATCG]{2}C",
            "CCAGCTACTCGGGAGGCTGAGGCTGGAGGATCGCTTGAGTCCAGGAGTTC\n",
        ),
        Case("rg-regression-r1334_empty_pattern", "one\ntwo\nthree\n", (), "", "one\ntwo\nthree\n"),
        Case("rg-regression-r1334_invert_empty_pattern", "one\ntwo\nthree\n", ("-v",), "", ""),
        Case(
            "rg-regression-r1380",
            "a\nb\nc\nd\ne\nd\ne\nd\ne\nd\ne\n",
            ("-A", "2", "-m", "1"),
            "d",
            "d\ne\nd\n",
        ),
        Case("rg-regression-r1537", "abc;de,fg", (), ";(.*,){1}", "abc;de,fg\n"),
        Case(
            "rg-regression-r1559",
            r1559,
            (),
            "TaskID +int",
            '\tTaskID int `json:"taskID"`\n\tTaskID   int    `json:"taskID"`\n',
        ),
        Case("rg-regression-r1891", "\n##\n", ("-w", "-o", "-n"), "", "", code=0, peers=("grep",)),
        Case("rg-regression-r2480-empty", "FooBar\n", (), "", "FooBar\n"),
        Case(
            "rg-regression-r2480-alternatives",
            "FooBar\n",
            ("-o",),
            ("Foo", "Bar"),
            "Foo\nBar\n",
            tool_pattern="Foo|Bar",
        ),
        Case(
            "rg-regression-r2480-flag-does-not-leak",
            "FooBar\n",
            ("-o",),
            ("(?i)foo", "bar"),
            "Foo\n",
            peers=(),
            tool_pattern="(?i:foo)|bar",
        ),
        Case(
            "rg-regression-r2574",
            "some.domain.com\nsome.domain.com/x\n",
            ("-w", "-o"),
            r"(\w+\.)*domain\.(\w+)",
            "some.domain.com\nsome.domain.com\n",
            peers=("grep",),
        ),
    ]
    return cases + _yesno_cases()


CASES = _cases()


# --------------------------------------------------------------------------- running


def tool_args(case: Case, corpus: Path) -> list[str]:
    """``corpus grep`` arguments for ``case`` (see the module docstring)."""
    flags = list(case.tool_flags if case.tool_flags is not None else case.flags)
    translated: list[str] = []
    for flag in flags:
        translated += ["-C", flag[1:]] if re.fullmatch(r"-\d+", flag) else [flag]
    if "-n" not in translated:
        translated.append("-N")
    pattern = case.tool_pattern if case.tool_pattern is not None else case.pattern
    assert isinstance(pattern, str), case.id
    return ["grep", "--index", "off", "--corpus", str(corpus), *translated, "--", pattern]


def from_tool(stdout: str) -> str:
    """The tool's pipe output as grep's single-file output."""
    lines = []
    for line in stdout.splitlines():
        if line == "in":
            lines.append("in.txt")
        elif line.startswith(("in:", "in-")):
            lines.append(line[3:])
        else:
            lines.append(line)
    return "".join(line + "\n" for line in lines)


def peer_args(case: Case, peer: str) -> list[str]:
    patterns = [case.pattern] if isinstance(case.pattern, str) else list(case.pattern)
    if peer == "grep":
        syntax = [] if "-F" in case.flags else [case.gnu_syntax]
        return [str(GREP), *syntax, *case.flags, *(a for p in patterns for a in ("-e", p)), "in.txt"]
    flags: list[str] = []
    for flag in case.flags:
        flags += ["-C", flag[1:]] if re.fullmatch(r"-\d+", flag) else [flag]
    numbers = [] if "-n" in flags else ["-N"]
    return [str(RG), "--no-config", *numbers, *flags, *(a for p in patterns for a in ("-e", p)), "in.txt"]


def write_input(folder: Path, case: Case) -> Path:
    path = folder / "in.txt"
    path.write_bytes(case.text if isinstance(case.text, bytes) else case.text.encode("utf-8"))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_tool_gives_the_suite_answer(case: Case, invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(*tool_args(case, write_input(tmp_path, case)))
    assert (from_tool(result.stdout), result.exit_code) == (case.expected, case.status), result.stderr


#: One case per family of flags, run as a real process writing into a pipe.
PIPED = [
    "gnu-foad1-o-n-3",
    "gnu-yesno-m6-C1",
    "gnu-yesno-v-C1",
    "gnu-context-0",
    "gnu-max-count-overread-l",
    "gnu-empty-E-abcd",
    "rg-misc-quiet",
    "rg-misc-count",
    "rg-misc-context_line_numbers",
    "rg-feature-f948_exit_code_error",
    "rg-regression-r128",
    "rg-regression-r2574",
]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.id in PIPED], ids=[c.id for c in CASES if c.id in PIPED]
)
def test_tool_in_a_pipe_gives_the_suite_answer(case: Case, tmp_path: Path) -> None:
    args = tool_args(case, write_input(tmp_path, case))
    done = run_corpus(*args, launcher=SCRIPT, cwd=tmp_path, timeout=60)
    assert (from_tool(done.stdout.decode()), done.returncode) == (case.expected, case.status), done.stderr


PEER_CASES = [(c, p) for c in CASES for p in c.peers]


@pytest.mark.parametrize(("case", "peer"), PEER_CASES, ids=[f"{c.id}-{p}" for c, p in PEER_CASES])
def test_peer_gives_the_suite_answer(case: Case, peer: str, tmp_path: Path) -> None:
    """The port is faithful: grep or ripgrep itself answers as the case says."""
    if peer == "grep" and not GNU:
        pytest.skip("GNU grep reading UTF-8 (LC_ALL=C.UTF-8) is not here")
    if peer == "rg" and RG is None:
        pytest.skip("ripgrep (rg) is not on PATH")
    write_input(tmp_path, case)
    done = subprocess.run(peer_args(case, peer), capture_output=True, env=PEER_ENV, cwd=tmp_path, timeout=60)
    assert (done.stdout.decode(), done.returncode) == (case.expected, case.status), done.stderr


# --------------------------------------------------------------------------- more than one file


def test_word_multi_file(invoke: Invoke, tmp_path: Path) -> None:
    """GNU grep's tests/word-multi-file: ``grep -rw bb a`` over four files."""
    folder = tmp_path / "a"
    folder.mkdir()
    for name, text in {"1": "aa bb cc", "2": "bb dd ff", "3": "ff gg hh", "4": "bb xx zz"}.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    expected = "a/1:aa bb cc\na/2:bb dd ff\na/4:bb xx zz\n"
    result = invoke("grep", "--index", "off", "--corpus", str(folder), "-N", "-w", "bb")
    assert (result.stdout, result.exit_code) == (expected.replace("a/", ""), 0)
    if GNU:
        done = subprocess.run([str(GREP), "-rw", "bb", "a"], capture_output=True, env=PEER_ENV, cwd=tmp_path)
        assert "".join(sorted(done.stdout.decode().replace(".txt", "").splitlines(keepends=True))) == expected


# --------------------------------------------------------------------------- reading files as grep does


def peer_output(args: list[str], cwd: Path) -> tuple[str, int]:
    done = subprocess.run(args, capture_output=True, env=PEER_ENV, cwd=cwd, timeout=60)
    return done.stdout.decode("utf-8", "replace"), done.returncode


@pytest.mark.parametrize(
    "content",
    [b"foo\x00bar\nfoo\x00baz\n", b"foo " * 2500 + b"\nfoo\x00baz\n"],
    ids=["nul-at-3", "nul-after-8-KiB"],
)
def test_binary_file_is_skipped_with_a_warning(content: bytes, invoke: Invoke, tmp_path: Path) -> None:
    """ripgrep's binary_convert: grep and ripgrep say "binary file matches" and print no
    line of it; the tool skips the file with a warning, wherever the NUL byte is."""
    (tmp_path / "in.txt").write_bytes(content)
    result = invoke("grep", "--index", "off", "--corpus", str(tmp_path / "in.txt"), "foo")
    assert (result.stdout, result.exit_code) == ("", 1)
    assert "binary" in result.stderr
    for args in ([GREP, "foo", "in.txt"] if GNU else [], [RG, "--no-config", "foo", "in.txt"] if RG else []):
        if args:
            out, _ = peer_output([str(a) for a in args], tmp_path)
            assert "foo " not in out and "foo\x00" not in out, args[0]


def test_utf8_file_with_one_bad_byte_is_read(invoke: Invoke, tmp_path: Path) -> None:
    """README "Choosing the corpus": a UTF-8 file with a few damaged bytes is read with
    U+FFFD in their place and a warning; ripgrep searches it too."""
    (tmp_path / "in.txt").write_bytes(b"first line\ncaf\xff line\nlast line\n")
    result = invoke("grep", "--index", "off", "--corpus", str(tmp_path / "in.txt"), "-N", "line")
    assert (result.stdout, result.exit_code) == ("in:first line\nin:caf\ufffd line\nin:last line\n", 0)
    assert "warning" in result.stderr
    if RG:
        assert peer_output([RG, "--no-config", "-c", "line", "in.txt"], tmp_path) == ("3\n", 0)


# --------------------------------------------------------------------------- one engine


#: foad1's İ (U+0130), ı (U+0131), ſ (U+017F) and K (U+212A) next to their ASCII look-alikes.
FOLD_TEXT = "aİb\naıb\naſb\naKb\naIb\naib\naSb\naKb\n"


@pytest.mark.parametrize("pattern", ["I", "i", "S", "K", "İ", "ı", "ſ"])
def test_ignore_case_answers_the_same_however_the_pattern_is_written(
    pattern: str, invoke: Invoke, tmp_path: Path
) -> None:
    """``-i`` folds case by one engine's rule: ``I`` and ``I{1}`` select the same lines."""
    (tmp_path / "in.txt").write_text(FOLD_TEXT, encoding="utf-8")
    answers = {
        written: invoke(
            "grep", "--index", "off", "--corpus", str(tmp_path / "in.txt"), "-i", "--", written
        ).stdout
        for written in (pattern, f"{pattern}{{1}}", f"(?:{pattern})")
    }
    assert len(set(answers.values())) == 1, answers


# --------------------------------------------------------------------------- deliberate differences


def tool(invoke: Invoke, path: Path, *args: str) -> tuple[str, int]:
    result = invoke("grep", "--index", "off", "--corpus", str(path), *args)
    return result.stdout, result.exit_code


@pytest.mark.parametrize(
    ("line", "pattern", "found"),
    [
        ("الأُمَمُ المتحدة", "الامم", "الأُمَمُ"),  # diacritics and hamza
        ("إلى الأمم", "الى", "إلى"),  # alef with hamza below
        ("كتـــاب جديد", "كتاب", "كتـــاب"),  # tatweel
        ("كت\u200cاب جديد", "كتاب", "كت\u200cاب"),  # an invisible joiner
        ("القرار ٢٢٥٤", "2254", "٢٢٥٤"),  # Arabic-Indic digits
    ],
    ids=["marks-hamza", "alef", "tatweel", "zwnj", "digits"],
)
def test_normalization_finds_what_grep_does_not(
    line: str, pattern: str, found: str, invoke: Invoke, tmp_path: Path
) -> None:
    """The tool matches normalized text and prints the original; ``--norm none`` and
    grep match the characters as written."""
    path = tmp_path / "in.txt"
    path.write_text(line + "\n", encoding="utf-8")
    assert tool(invoke, path, "-o", "-N", pattern) == (f"in:{found}\n", 0)
    assert tool(invoke, path, "--norm", "none", "-o", "-N", pattern) == ("", 1)
    if GNU:
        assert peer_output([str(GREP), "-F", "-o", pattern, "in.txt"], tmp_path) == ("", 1)
    if RG:
        assert peer_output([RG, "--no-config", "-F", "-o", pattern, "in.txt"], tmp_path) == ("", 1)


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"], ids=["zwnj", "zwj"])
def test_word_keeps_invisible_joiners_inside_the_word(joiner: str, invoke: Invoke, tmp_path: Path) -> None:
    """``-w كت`` is not found in ``كت<ZWNJ>اب`` (one word with a joiner inside), as with
    ripgrep's Unicode ``\\w``; GNU grep splits the word at the joiner."""
    path = tmp_path / "in.txt"
    path.write_text(f"كت{joiner}اب\nكت اب\n", encoding="utf-8")
    assert tool(invoke, path, "-w", "كت") == ("in:2:كت اب\n", 0)
    if RG:
        assert peer_output([RG, "--no-config", "-n", "-w", "كت", "in.txt"], tmp_path) == ("2:كت اب\n", 0)


def test_crlf_and_lone_cr_are_line_ends(invoke: Invoke, tmp_path: Path) -> None:
    """ripgrep's f416_crlf needs ``--crlf`` for ``Sherlock$`` on CRLF text, and prints the
    CR; GNU grep finds nothing.  The tool reads CRLF and a lone CR as ``\\n``."""
    path = tmp_path / "in.txt"
    path.write_bytes(SHERLOCK.replace("\n", "\r\n").encode())
    assert tool(invoke, path, "-N", "Sherlock$") == ("in:" + S[0], 0)
    if GNU:
        assert peer_output([str(GREP), "Sherlock$", "in.txt"], tmp_path) == ("", 1)
    path.write_bytes(b"A\rB\rC\n")
    assert tool(invoke, path, "B") == ("in:2:B\n", 0)


def test_count_leaves_out_documents_without_a_match(invoke: Invoke, tmp_path: Path) -> None:
    """GNU grep ``-c`` prints ``0``; the tool, like ripgrep, lists only documents with a match."""
    path = tmp_path / "in.txt"
    path.write_text(SHERLOCK, encoding="utf-8")
    assert tool(invoke, path, "-c", "NADA") == ("", 1)
    if RG:
        assert peer_output([RG, "--no-config", "-c", "NADA", "in.txt"], tmp_path) == ("", 1)
    if GNU:
        assert peer_output([str(GREP), "-c", "NADA", "in.txt"], tmp_path) == ("0\n", 1)


def test_alternation_is_leftmost_first(invoke: Invoke, tmp_path: Path) -> None:
    """foad1's ``-o -e bb -e cc -e ccc``: GNU grep takes the longest alternative (``ccc``),
    the ``regex`` module and ripgrep the first that matches (``cc``)."""
    path = tmp_path / "in.txt"
    path.write_text("a bb ccc dddd\n", encoding="utf-8")
    assert tool(invoke, path, "-o", "-N", "bb|cc|ccc") == ("in:bb\nin:cc\n", 0)
    if RG:
        args = [RG, "--no-config", "-o", "-e", "bb", "-e", "cc", "-e", "ccc", "in.txt"]
        assert peer_output(args, tmp_path) == ("bb\ncc\n", 0)


def test_gnu_word_anchors_are_not_anchors(invoke: Invoke, tmp_path: Path) -> None:
    """foad1's ``\\<word`` (GNU: a word start) is ``<word`` in the ``regex`` module's syntax."""
    path = tmp_path / "in.txt"
    path.write_text("wordword\na <word\n", encoding="utf-8")
    assert tool(invoke, path, "-o", r"\<word") == ("in:2:<word\n", 0)
    assert tool(invoke, path, "-o", r"\bword") == ("in:1:word\nin:2:word\n", 0)


@pytest.mark.parametrize("flag", ["-x", "-f", "-b", "-H", "-E", "-P", "-3", "--group-separator"])
def test_flags_the_tool_does_not_have_are_refused(flag: str, invoke: Invoke, tmp_path: Path) -> None:
    """grep flags without a counterpart are an error (exit 2), never silently ignored."""
    path = tmp_path / "in.txt"
    path.write_text(SHERLOCK, encoding="utf-8")
    result = invoke("grep", "--index", "off", "--corpus", str(path), flag, "Sherlock")
    assert result.exit_code == 2
    assert f"No such option: {flag}" in result.stderr
