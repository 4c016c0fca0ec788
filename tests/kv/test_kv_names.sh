#!/usr/bin/env bash
# Named settings: `flashkit kv gen` turns a schema into a C header that
# compiles warning-free against the device library and works on the
# simulator (defaults, typed set/get, the schema check, a renamed
# setting caught); `kv build --schema` writes the defaults and the
# schema's hash, `kv dump --schema` names every entry and refuses a
# store made from another schema; bad schemas are refused at
# file:line:col with nothing written.
source "${FK_ROOT:?}/tests/production/lib.sh"
: "${FK_BUILD:?}"

cat >schema.yaml <<'YAML'
settings:
  volume: { type: u8, default: 7, doc: "Speaker volume, 0..10" }
  channel: { type: u16, default: 300 }
  offset: { type: i16, default: -12 }
  muted: { type: bool, default: false }
  wifi_ssid: { type: string, size: 32, default: "flashkit" }
  calibration: { type: bytes, size: 12, default: "00a1ff" }
  serial: { type: string, size: 16 }
YAML
"$FK" kv gen schema.yaml -o settings.h >gen.txt
grep -q "7 settings (ids 0..6), schema hash 0x[0-9a-f]* in key 7" gen.txt || fail "gen: $(cat gen.txt)"
pass
# The same schema with 'channel' renamed: another hash.
sed 's/^  channel:/  chan:/' schema.yaml >renamed.yaml
"$FK" kv gen renamed.yaml -o renamed.h --prefix renamed >/dev/null
pass

cat >app.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashsim.h"
#include "renamed.h"
#include "settings.h"

#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); exit(1); } } while (0)

int main(void)
{
	static const struct fk_sector_run run = { 4, 4096 };
	const struct fk_kv_config cfg = SETTINGS_CONFIG;
	struct fk_sim_config c;
	struct fk_sim *sim;
	struct fk_area area;
	static struct fk_kv kv;
	char s[40];

	memset(&c, 0, sizeof(c));
	c.geo.size = 4 * 4096;
	c.geo.runs = &run;
	c.geo.run_count = 1;
	c.geo.write_unit = 8;
	c.geo.erased_value = 0xFF;
	c.geo.program_once = true;
	sim = fk_sim_create(&c);
	CHECK(sim && fk_area_init(&area, fk_sim_flash(sim), 0, c.geo.size) == 0);
	CHECK(fk_kv_mount(&kv, &area, &cfg) == FK_OK);
	CHECK(settings_check_schema(&kv) == FK_OK);
	/* Defaults before anything is set. */
	CHECK(settings_volume(&kv) == 7 && settings_channel(&kv) == 300);
	CHECK(settings_offset(&kv) == -12 && settings_muted(&kv) == false);
	CHECK(settings_wifi_ssid(&kv, s, sizeof(s)) == 8 && memcmp(s, "flashkit", 8) == 0);
	CHECK(settings_calibration(&kv, s, sizeof(s)) == 3 && (uint8_t)s[1] == 0xa1);
	CHECK(settings_serial(&kv, s, sizeof(s)) == 0);
	CHECK(settings_wifi_ssid(&kv, s, 4) == FK_ENOSPC);
	/* Typed values round-trip, through a remount. */
	CHECK(settings_set_volume(&kv, 9) == FK_OK);
	CHECK(settings_set_channel(&kv, 48000) == FK_OK);
	CHECK(settings_set_offset(&kv, -300) == FK_OK);
	CHECK(settings_set_muted(&kv, true) == FK_OK);
	CHECK(settings_set_wifi_ssid(&kv, "home", 4) == FK_OK);
	CHECK(settings_set_serial(&kv, s, 17) == FK_EINVAL);
	CHECK(fk_kv_mount(&kv, &area, &cfg) == FK_OK);
	CHECK(settings_check_schema(&kv) == FK_OK);
	CHECK(settings_volume(&kv) == 9 && settings_channel(&kv) == 48000);
	CHECK(settings_offset(&kv) == -300 && settings_muted(&kv) == true);
	CHECK(settings_wifi_ssid(&kv, s, sizeof(s)) == 4 && memcmp(s, "home", 4) == 0);
	/* A firmware built from the renamed schema sees the store was made
	 * from another one. */
	CHECK(RENAMED_SCHEMA_HASH != SETTINGS_SCHEMA_HASH);
	CHECK(renamed_check_schema(&kv) == FK_EMISMATCH);
	fk_sim_destroy(sim);
	printf("named settings: ok\n");
	return 0;
}
C
# FK_APP_CFLAGS: the sanitizer flags when the libraries were built with them
cc -std=c11 -Wall -Wextra -Werror ${FK_APP_CFLAGS:-} -I. -I"$FK_ROOT/include" -I"$FK_ROOT/sim" app.c \
	"$FK_BUILD/sim/libfk_sim.a" "$FK_BUILD/libfk_device.a" -o app 2>cc.txt ||
	fail "the generated header does not compile: $(cat cc.txt)"
./app | grep -q "named settings: ok" || fail "app: $(./app)"
pass

# A production image from the schema: defaults, hash, and the file's values.
printf 'values:\n  volume: 3\n  offset: -2\n  calibration: "0102"\n  6: "SN1"\n' >values.yaml
"$FK" kv build values.yaml --schema schema.yaml -o store.bin --sector-size 4K --sectors 4 >/dev/null
"$FK" kv dump store.bin --schema schema.yaml >dump.txt
grep -q "schema schema.yaml: matches" dump.txt || fail "dump: $(cat dump.txt)"
grep -q 'key 0 .*volume .*live .*hex 03' dump.txt || fail "volume: $(cat dump.txt)"
grep -q 'key 2 .*offset .*live .*hex feff' dump.txt || fail "offset: $(cat dump.txt)"
grep -q 'key 5 .*calibration .*live .*hex 0102' dump.txt || fail "calibration: $(cat dump.txt)"
grep -q 'key 6 .*serial .*live .*"SN1"' dump.txt || fail "serial by id: $(cat dump.txt)"
grep -q 'key 4 .*wifi_ssid .*live .*"flashkit"' dump.txt || fail "wifi_ssid default: $(cat dump.txt)"
grep -q 'key 7 .*(schema hash) .*live' dump.txt || fail "hash key: $(cat dump.txt)"
pass
expect_fail "made from another schema than renamed.yaml" "$FK" kv dump store.bin --schema renamed.yaml
"$FK" kv build <(printf 'keys: 8\n') -o plain.bin --sector-size 4K --sectors 4 >/dev/null
expect_fail "key 7 holds no schema hash of schema.yaml" "$FK" kv dump plain.bin --schema schema.yaml
printf 'values:\n  7: "x"\n' >bad_values.yaml
expect_fail "key 7 is not a setting of schema.yaml" "$FK" kv build bad_values.yaml --schema schema.yaml -o x.bin --sector-size 4K --sectors 4
[ ! -e x.bin ] || fail "x.bin written"
printf 'values:\n  volum: 3\n' >bad_values.yaml
expect_fail "bad_values.yaml:2:3: error: 'volum' is not a setting of schema.yaml" "$FK" kv build bad_values.yaml --schema schema.yaml -o x.bin --sector-size 4K --sectors 4
printf 'values:\n  offset: 40000\n' >bad_values.yaml
expect_fail "the value of 'offset' must be a whole number from -32768 to 32767" "$FK" kv build bad_values.yaml --schema schema.yaml -o x.bin --sector-size 4K --sectors 4
printf 'keys: 16\nvalues: {}\n' >bad_values.yaml
expect_fail "'keys': with a schema the store's configuration comes from schema.yaml" "$FK" kv build bad_values.yaml --schema schema.yaml -o x.bin --sector-size 4K --sectors 4
[ ! -e x.bin ] || fail "x.bin written"

# A schema that chooses compact sector headers: the generated
# configuration says so, and the store kv build makes from it has them.
{ printf 'header: compact\n'; cat schema.yaml; } >compact.yaml
"$FK" kv gen compact.yaml -o compact.h --prefix compact >/dev/null
grep -q "COMPACT_CONFIG { 8, 32, 128, FK_KV_HEADER_COMPACT }" compact.h ||
	fail "gen: $(grep CONFIG compact.h)"
grep -q "SETTINGS_CONFIG { 8, 32, 128, FK_KV_HEADER_BITMAP }" settings.h ||
	fail "gen, default header: $(grep CONFIG settings.h)"
"$FK" kv build values.yaml --schema compact.yaml -o compact.bin --sector-size 4K --sectors 4 >/dev/null
"$FK" kv dump compact.bin --schema compact.yaml >dumpc.txt
grep -q "header compact (format 3)" dumpc.txt || fail "compact dump: $(head -3 dumpc.txt)"
grep -q 'key 0 .*volume .*live .*hex 03' dumpc.txt || fail "compact volume: $(cat dumpc.txt)"
printf 'header: compact\nvalues: {}\n' >bad_values.yaml
expect_fail "'header': with a schema the store's configuration comes from schema.yaml" "$FK" kv build bad_values.yaml --schema schema.yaml -o x.bin --sector-size 4K --sectors 4
[ ! -e x.bin ] || fail "x.bin written"
pass

# Bad schemas: position, message, no header written.
bad() { # message yaml-text
	printf '%s\n' "$2" >bad.yaml
	rm -f bad.h
	expect_fail "$1" "$FK" kv gen bad.yaml -o bad.h
	[ ! -e bad.h ] || fail "bad.h written for '$1'"
}
bad "bad.yaml:2:19: error: 'type' of setting 'volume': unknown value 'u9'; did you mean 'u8'?" $'settings:\n  volume: { type: u9 }'
bad "setting 'volume' has no type" $'settings:\n  volume: { default: 3 }'
bad "setting 'name': a string needs a size" $'settings:\n  name: { type: string }'
bad "size 200 is not in 1..121" $'settings:\n  name: { type: string, size: 200 }'
bad "bad.yaml:2:3: error: 'Volume' is not a setting name" $'settings:\n  Volume: { type: u8 }'
bad "the default of 'v' must be a whole number from -128 to 127" $'settings:\n  v: { type: i8, default: -129 }'
bad "the default of 's' must be a string of at most 2 bytes" $'settings:\n  s: { type: string, size: 2, default: "abc" }'
bad "the default of 'b' must be an even number of hex digits" $'settings:\n  b: { type: bytes, size: 2, default: "0g" }'
bad "the default of 'f' must be true or false" $'settings:\n  f: { type: bool, default: yes }'
bad "unknown key 'dflt' in setting 'v'" $'settings:\n  v: { type: u8, dflt: 3 }'
bad "a u16 has 2 bytes, not 4" $'settings:\n  v: { type: u16, size: 4 }'
bad "'settings' names no setting" $'settings: {}'
bad "a settings schema needs 'settings'" $'{}'
bad "unknown key 'other' in a settings schema" $'other: 1'
bad "given twice" $'settings:\n  v: { type: u8 }\n  v: { type: u8 }'
bad "bad.yaml:1:9: error: header must be bitmap (format 2, the default" $'header: tiny\nsettings:\n  v: { type: u8 }'
expect_fail "--prefix 'Bad' is not a C name" "$FK" kv gen schema.yaml -o p.h --prefix Bad
echo "kv names: $checks checks passed"
