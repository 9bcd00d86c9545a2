# Makefile for sigma - Sigma rules to Athena (Trino) SQL.
#
#   make                 build/sigma, build/libsigma.a, build/libsigma.so
#   make check           every test (unit, golden, semantic, example)
#   make asan            the same tests in build-asan/ under ASan + UBSan
#   make coverage        the same tests in build-cov/, then line coverage of src/
#   make bench           the speed and the Athena cost benchmarks (bench/README.md, bench/cost/README.md)
#   make install         PREFIX=/usr/local

VERSION := $(shell cat VERSION)
VPARTS  := $(subst ., ,$(VERSION))
BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := yaml-0.1 libpcre2-8 libutf8proc jansson oniguruma
OPT     ?= -O2
CFLAGS  ?=
# CFLAGS/LDFLAGS from the command line add to these (e.g. sanitizers).
# -fvisibility=hidden: libsigma.so exports only what sigma.h marks SIGMA_API.
XCFLAGS := -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
           $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
# sigma.h includes sigma_version.h, generated from VERSION into $(BUILD)/include
VERSION_H := $(BUILD)/include/sigma_version.h
INC     := -Iinclude -I$(BUILD)/include
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread

SRC     := $(sort $(shell find src -name '*.c'))
OBJ     := $(SRC:%.c=$(BUILD)/%.o)
# folders of data files compiled into the library (src/util/embed.h)
EMBED   := schemas pipelines
HOSTCC  ?= cc
OBJ     += $(EMBED:%=$(BUILD)/gen/embed_%.o)
CLI_SRC := $(sort $(wildcard cli/*.c))
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
EX_SRC  := $(sort $(wildcard examples/*.c))
EX_BIN  := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
FUZZ_T  := rule yaml condition pipeline schema
REPLAY_BIN := $(FUZZ_T:%=$(BUILD)/fuzz/replay_%)
DEPS    := $(OBJ:.o=.d) $(CLI_OBJ:.o=.d)

.PHONY: all check unit asan coverage bench install clean fuzz print-ldlibs
all: $(BUILD)/sigma $(BUILD)/libsigma.a $(BUILD)/libsigma.so $(EX_BIN) $(REPLAY_BIN)

$(VERSION_H): include/sigma_version.h.in VERSION
	@mkdir -p $(dir $@)
	sed -e 's|@MAJOR@|$(word 1,$(VPARTS))|' -e 's|@MINOR@|$(word 2,$(VPARTS))|' \
	    -e 's|@PATCH@|$(word 3,$(VPARTS))|' -e 's|@VERSION@|$(VERSION)|' $< >$@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(INC) -MMD -MP -c $< -o $@

# the command also uses the library's internal utilities (src/util)
$(BUILD)/cli/%.o: cli/%.c $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(INC) -Isrc -MMD -MP -c $< -o $@

# embedded data: tools/embed.c (built for the build machine) writes one C
# file per folder; it is rebuilt when a file, or the folder's list, changes
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

.SECONDEXPANSION:
$(BUILD)/gen/embed_%.c: $(BUILD)/tools/embed $$* $$(sort $$(wildcard $$*/*))
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed embed_$* $@ $(sort $(wildcard $*/*))

# kept after the build (make would delete it as an intermediate file)
.SECONDARY: $(EMBED:%=$(BUILD)/gen/embed_%.c)

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(XCFLAGS) -Isrc -MMD -MP -c $< -o $@

$(BUILD)/libsigma.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libsigma.so: $(OBJ)
	$(CC) $(XCFLAGS) -shared -Wl,-soname,libsigma.so.$(word 1,$(VPARTS)) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# The command links libyaml, PCRE2, utf8proc and jansson statically (CLI_STATIC=0 to
# link them dynamically): fewer libraries to load at start, which is most of
# the time for one small rule. Oniguruma stays dynamic: Debian ships no
# static libonig.
CLI_STATIC ?= 1
ifeq ($(CLI_STATIC),1)
CLI_LDLIBS := -Wl,-Bstatic $(shell pkg-config --libs yaml-0.1 libpcre2-8 libutf8proc jansson) -Wl,-Bdynamic \
              $(shell pkg-config --libs oniguruma) -lpthread
else
CLI_LDLIBS := $(LDLIBS)
endif
$(BUILD)/sigma: $(CLI_OBJ) $(BUILD)/libsigma.a
	$(CC) $(XCFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libsigma.a $(LDFLAGS) $(CLI_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsigma.a tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(INC) -Isrc -o $@ $< $(BUILD)/libsigma.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libsigma.a
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(INC) -o $@ $< $(BUILD)/libsigma.a $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BIN)

# fuzz targets without libFuzzer: replay saved inputs in the normal tests
$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(BUILD)/libsigma.a
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(INC) -Isrc -o $@ fuzz/fuzz_$*.c fuzz/replay.c $(BUILD)/libsigma.a $(LDFLAGS) $(LDLIBS)

# libFuzzer runs: make fuzz [FUZZ_SECONDS=600]; crashes go to fuzz/regress/TARGET/
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT=-O1 CFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' \
	    LDFLAGS='-fsanitize=address,undefined' build-fuzz/libsigma.a
	@for t in $(FUZZ_T); do \
	    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ibuild-fuzz/include -Isrc -o build-fuzz/fuzz_$$t fuzz/fuzz_$$t.c \
	        build-fuzz/libsigma.a $(LDLIBS) || exit 1; \
	done
	@for t in $(FUZZ_T); do \
	    mkdir -p build-fuzz/corpus/$$t fuzz/regress/$$t; \
	    dict=fuzz/sigma.dict; [ $$t = condition ] && dict=fuzz/condition.dict; \
	    [ $$t = pipeline ] && dict=fuzz/pipeline.dict; [ $$t = schema ] && dict=fuzz/schema.dict; \
	    rm -rf build-fuzz/seeds/$$t; mkdir -p build-fuzz/seeds/$$t; \
	    cp $$(sh fuzz/seeds.sh $$t) build-fuzz/seeds/$$t/ || exit 1; \
	    echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -dict=$$dict -artifact_prefix=fuzz/regress/$$t/ \
	        -print_final_stats=1 build-fuzz/corpus/$$t build-fuzz/seeds/$$t fuzz/regress/$$t 2>&1 | tail -12 || exit 1; \
	done

check: all unit
	BUILD=$(BUILD) sh tests/run.sh

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 CLI_STATIC=0 CFLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' LDFLAGS='-fsanitize=address,undefined' check

# gcov counters updated atomically: files are converted on several threads
coverage:
	rm -rf build-cov
	$(MAKE) BUILD=build-cov OPT=-O0 CLI_STATIC=0 CFLAGS='--coverage -fprofile-update=atomic' LDFLAGS='--coverage' check
	sh tools/coverage.sh build-cov

BENCH_BIN := $(BUILD)/bench/measure $(BUILD)/bench/yaml_floor

$(BUILD)/bench/%: bench/%.c $(BUILD)/libsigma.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -Isrc -o $@ $< $(BUILD)/libsigma.a $(LDFLAGS) $(LDLIBS) -lm

bench: all $(BENCH_BIN)
	BUILD=$(BUILD) sh bench/run.sh
	BUILD=$(BUILD) sh bench/cost/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/sigma $(DESTDIR)$(PREFIX)/bin/sigma
	install -m 644 $(BUILD)/libsigma.a $(DESTDIR)$(PREFIX)/lib/libsigma.a
	install -m 755 $(BUILD)/libsigma.so $(DESTDIR)$(PREFIX)/lib/libsigma.so.$(VERSION)
	ln -sf libsigma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libsigma.so.$(word 1,$(VPARTS))
	ln -sf libsigma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libsigma.so
	install -m 644 include/sigma.h $(DESTDIR)$(PREFIX)/include/sigma.h
	install -m 644 $(VERSION_H) $(DESTDIR)$(PREFIX)/include/sigma_version.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' docs/sigma.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sigma.pc
	install -m 644 docs/sigma.1 $(DESTDIR)$(PREFIX)/share/man/man1/sigma.1

# the link libraries of libsigma.a (for programs that link it, e.g. python/setup.py)
print-ldlibs:
	@echo $(LDLIBS)

clean:
	rm -rf build build-asan build-cov build-fuzz

-include $(DEPS)
