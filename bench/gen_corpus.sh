#!/bin/sh
# gen_corpus.sh DIR [N] - writes N (default 3000) synthetic Sigma rules into
# DIR/<category>/rule_<i>.yml for bench/run.sh when the SigmaHQ corpus is not
# there. The rules vary in size and shape like real ones: block-scalar
# descriptions, lists, modifiers, several selections and filters, quoted and
# plain values, a few non-ASCII characters.
set -eu
dir=$1
n=${2:-3000}
mkdir -p "$dir"
awk -v dir="$dir" -v n="$n" 'BEGIN {
    split("process_creation file_event registry_set network_connection image_load dns_query", cats, " ")
    split("Image CommandLine ParentImage TargetFilename TargetObject Details DestinationHostname QueryName OriginalFileName User", fields, " ")
    split("endswith contains startswith contains|all re cidr", mods, " ")
    for (c in cats) system("mkdir -p \"" dir "/" cats[c] "\"")
    for (i = 1; i <= n; i++) {
        cat = cats[i % 6 + 1]
        f = dir "/" cat "/rule_" sprintf("%05d", i) ".yml"
        printf "title: Synthetic Rule %d For %s\n", i, cat > f
        printf "id: %08x-%04x-4%03x-8%03x-%012x\n", i * 2654435761 % 4294967296, i % 65536, i % 4096, (i * 7) % 4096, i * 31337 > f
        printf "status: %s\n", (i % 3 ? "test" : "experimental") > f
        printf "description: |\n    Detects synthetic behaviour number %d of the benchmark corpus.\n    Second line with a quote '\''x'\'' and a colon: here.\n", i > f
        printf "references:\n    - https://example.org/rules/%d\n    - https://example.org/blog/%d-post\n", i, i * 3 > f
        printf "author: Bench Author %d, Jos%s Mu%soz\n", i % 17, "\303\251", "\303\261" > f
        printf "date: 2024-%02d-%02d\n", i % 12 + 1, i % 28 + 1 > f
        printf "tags:\n    - attack.execution\n    - attack.t%d\n", 1000 + i % 600 > f
        printf "logsource:\n    category: %s\n    product: windows\n", cat > f
        printf "detection:\n" > f
        nsel = 1 + i % 4
        for (s = 1; s <= nsel; s++) {
            printf "    selection_%d:\n", s > f
            nitems = 1 + (i + s) % 3
            for (k = 1; k <= nitems; k++) {
                fld = fields[(i + s + k) % 10 + 1]
                m = mods[(i * s + k) % 6 + 1]
                if (m == "re") {
                    printf "        %s|re: '\''(?i)\\evil%d[a-z]+\\.exe$'\''\n", fld, i > f
                } else if (m == "cidr") {
                    printf "        DestinationIp|cidr:\n            - '\''10.%d.0.0/16'\''\n            - '\''192.168.%d.0/24'\''\n", i % 256, s > f
                } else {
                    nv = 1 + (i + k) % 6
                    printf "        %s|%s:\n", fld, m > f
                    for (v = 1; v <= nv; v++)
                        printf "            - '\''\\tool%d_%d_%d.exe'\''\n", i, s, v > f
                }
            }
        }
        printf "    filter_main:\n        User|contains:\n            - '\''AUTHORI'\''\n            - '\''AUTORI'\''\n        Image: C:\\Windows\\System32\\svchost.exe\n" > f
        printf "    condition: %s and not filter_main\n", (nsel > 1 ? "1 of selection_*" : "selection_1") > f
        printf "falsepositives:\n    - Unknown\nlevel: %s\n", (i % 2 ? "high" : "medium") > f
        close(f)
    }
}'
