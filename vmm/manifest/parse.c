/*
 * The manifest's parser: statements of the TOML subset, one per line.
 *
 *   [host] [memory] [scheduler] [modules]   tables, each at most once
 *   [[vm]]                                  one VM (an array of tables)
 *   [vm.devices]                            test devices of the last [[vm]]
 *   key = value                             in the current table
 *
 * An error ends the statement it is in, never the parse: the next line is
 * read as usual, so one run reports every error. Headers that are wrong
 * make the keys under them ignored (SEC_SKIP) rather than each reported.
 */
#include "vmm/manifest/internal.h"

#define PERR(ps, field, ...)                                                   \
	mf_err(ps, (ps)->line, mf_col(ps), (ps)->vm, (ps)->section, field, __VA_ARGS__)

static bool trailing_ok(struct mf_parser *ps, const char *field)
{
	if (mf_at_end(ps))
		return true;
	PERR(ps, field, "unexpected text after the %s", field ? "value" : "table header");
	return false;
}

static enum mf_section section_of(const char *name, size_t len)
{
	for (unsigned s = SEC_HOST; s <= SEC_VM; s++)
		if (strlen(mf_section_names[s]) == len &&
		    memcmp(mf_section_names[s], name, len) == 0)
			return (enum mf_section)s;
	return SEC_NONE;
}

static const char *section_suggest(const char *name, size_t len)
{
	static const char *const all[] = { "host", "memory", "scheduler", "modules",
					   "vm", "vm.devices" };
	for (unsigned i = 0; i < ENV_ARRAY_SIZE(all); i++)
		if (mf_distance(name, len, all[i], 2) <= 2)
			return all[i];
	return NULL;
}

static void new_vm(struct mf_parser *ps, uint32_t col)
{
	struct manifest *m = ps->m;
	struct manifest_vm *vm;

	if (m->nvms == MANIFEST_MAX_VMS) {
		if (ps->vm_overflow++ == 0)
			mf_err(ps, ps->line, col, -1, SEC_NONE, "vm",
			       "more than %u VMs", MANIFEST_MAX_VMS);
		ps->section = SEC_SKIP;
		return;
	}
	vm = &m->vms[m->nvms];
	memset(vm, 0, sizeof(*vm));
	mf_vm_defaults(vm);
	vm->line = ps->line;
	ps->vm = (int)m->nvms++;
	ps->section = SEC_VM;
}

/* After '[' (and a second '[' if array): a table name "a" or "a.b". */
static void parse_header(struct mf_parser *ps)
{
	uint32_t col = mf_col(ps);
	bool array = ps->le - ps->p >= 2 && ps->p[1] == '[';
	char name[40];
	size_t n = 0;
	unsigned depth = 1;
	enum mf_section sec;

	ps->p += array ? 2 : 1;
	ps->section = SEC_SKIP;
	for (;;) {
		const char *k;
		size_t len;
		mf_skip_ws(ps);
		if (!mf_lex_key(ps, &k, &len))
			return;
		if (n + len + 1 >= sizeof(name)) {
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL, "table name is too long");
			return;
		}
		memcpy(name + n, k, len);
		n += len;
		mf_skip_ws(ps);
		if (ps->p < ps->le && *ps->p == '.') {
			if (++depth > MANIFEST_MAX_DEPTH) {
				mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
				       "tables nest at most %u deep", MANIFEST_MAX_DEPTH);
				return;
			}
			name[n++] = '.';
			ps->p++;
			continue;
		}
		break;
	}
	name[n] = '\0';
	if (ps->p >= ps->le || *ps->p != ']' || (array && (ps->le - ps->p < 2 || ps->p[1] != ']'))) {
		PERR(ps, NULL, "expected '%s' to close the table header", array ? "]]" : "]");
		return;
	}
	ps->p += array ? 2 : 1;
	if (!trailing_ok(ps, NULL))
		return;

	if (n == 10 && memcmp(name, "vm.devices", 10) == 0) {
		if (array) {
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
			       "[[vm.devices]]: a VM has one devices table: write [vm.devices]");
		} else if (ps->vm_overflow) {
			/* of a VM over the limit, reported once already */
		} else if (ps->vm < 0) {
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
			       "[vm.devices] must follow the [[vm]] it belongs to");
		} else if (ps->m->vms[ps->vm].devices_line) {
			mf_err(ps, ps->line, col, ps->vm, SEC_VM, "devices",
			       "[vm.devices] given twice for this VM (first at line %u)",
			       ps->m->vms[ps->vm].devices_line);
		} else {
			ps->m->vms[ps->vm].devices_line = ps->line;
			ps->section = SEC_DEVICES;
		}
		return;
	}
	sec = section_of(name, n);
	if (sec == SEC_NONE) {
		const char *hint = section_suggest(name, n);
		if (hint)
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
			       "unknown table [%s] (did you mean [%s%s%s]?)", name,
			       strcmp(hint, "vm") ? "" : "[", hint, strcmp(hint, "vm") ? "" : "]");
		else
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
			       "unknown table [%s] (tables: host, memory, scheduler, modules, [vm], vm.devices)",
			       name);
		return;
	}
	if (sec == SEC_VM) {
		if (!array) {
			mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
			       "[vm] describes one of several VMs: write [[vm]]");
			return;
		}
		new_vm(ps, col);
		return;
	}
	if (array) {
		mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
		       "[[%s]]: there is one %s table: write [%s]", name, name, name);
		return;
	}
	if (ps->m->table_line[sec]) {
		mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
		       "table [%s] given twice (first at line %u)", name, ps->m->table_line[sec]);
		return;
	}
	ps->m->table_line[sec] = ps->line;
	ps->section = sec;
}

/* tag = "path" in [modules]. */
static void parse_module(struct mf_parser *ps, const char *key, size_t len, uint32_t kcol)
{
	struct manifest *m = ps->m;
	struct mf_value v;
	struct manifest_file_module *mod;
	char tag[MANIFEST_NAME_MAX];

	if (!mf_lex_value(ps, &v, NULL, false) || !trailing_ok(ps, "modules"))
		return;
	if (!mf_tag_ok(key, len)) {
		mf_err(ps, ps->line, kcol, -1, SEC_MODULES, NULL,
		       "\"%.*s\" is not a valid module tag (A-Z a-z 0-9 . _ + -, at most 31)",
		       len > 40 ? 40 : (int)len, key);
		return;
	}
	memcpy(tag, key, len);
	tag[len] = '\0';
	if (strcmp(tag, "manifest") == 0) {
		mf_err(ps, ps->line, kcol, -1, SEC_MODULES, tag,
		       "\"manifest\" is the manifest's own tag");
		return;
	}
	for (uint32_t i = 0; i < m->nmodules; i++) {
		if (strcmp(m->modules[i].tag, tag) == 0) {
			mf_err(ps, ps->line, kcol, -1, SEC_MODULES, tag,
			       "module given twice (first at line %u)", m->modules[i].line);
			return;
		}
	}
	if (v.type != MV_STRING) {
		mf_err(ps, v.line, v.col, -1, SEC_MODULES, tag, "expected a file path string");
		return;
	}
	for (uint32_t i = 0; i < v.rawlen; i++) {
		char c = v.raw[i];
		if (!mf_is_bare(c) && c != '.' && c != '/' && c != '+') {
			mf_err(ps, v.line, v.col, -1, SEC_MODULES, tag,
			       "a path holds A-Z a-z 0-9 . _ + - / only");
			return;
		}
	}
	if (v.rawlen == 0 || v.rawlen >= MANIFEST_PATH_MAX) {
		mf_err(ps, v.line, v.col, -1, SEC_MODULES, tag,
		       "a path is 1 to %u bytes long", MANIFEST_PATH_MAX - 1);
		return;
	}
	if (m->nmodules == MANIFEST_MAX_MODULES) {
		mf_err(ps, ps->line, kcol, -1, SEC_MODULES, tag, "more than %u modules",
		       MANIFEST_MAX_MODULES);
		return;
	}
	mod = &m->modules[m->nmodules++];
	memcpy(mod->tag, tag, sizeof(tag));
	mf_string_decode(&v, mod->path, sizeof(mod->path));
	mod->line = ps->line;
}

static void unknown_key(struct mf_parser *ps, const char *key, size_t len, uint32_t col)
{
	const char *hint = mf_key_suggest(ps->section, key, len);
	enum mf_section other = mf_key_elsewhere(ps->section, key, len);
	char field[MANIFEST_FIELD_MAX];

	mf_snprintf(field, sizeof(field), "%s%.*s", ps->section == SEC_DEVICES ? "devices." : "",
		    len > 32 ? 32 : (int)len, key);
	if (hint)
		mf_err(ps, ps->line, col, ps->vm, ps->section, field,
		       "unknown key (did you mean %s?)", hint);
	else if (other != SEC_NONE)
		mf_err(ps, ps->line, col, ps->vm, ps->section, field,
		       "unknown key here (it belongs in [%s%s%s])",
		       other == SEC_VM ? "[" : "", mf_section_names[other],
		       other == SEC_VM ? "]" : "");
	else
		mf_err(ps, ps->line, col, ps->vm, ps->section, field, "unknown key");
}

static void parse_keyval(struct mf_parser *ps)
{
	uint32_t col = mf_col(ps);
	const struct mf_key *k = NULL;
	struct manifest_pos *pos = NULL;
	struct mf_value v;
	const char *key;
	size_t len;

	if (!mf_lex_key(ps, &key, &len))
		return;
	mf_skip_ws(ps);
	if (ps->p < ps->le && *ps->p == '.') {
		PERR(ps, NULL, "dotted keys are not supported: use a [table]");
		return;
	}
	if (ps->section != SEC_NONE && ps->section != SEC_SKIP && ps->section != SEC_MODULES)
		k = mf_key_find(ps->section, key, len);
	if (k) {
		/* Written, even if wrongly: no "missing" error on top of it. */
		pos = k->section >= SEC_VM ? &ps->m->vms[ps->vm].pos[k->id] : &ps->m->pos[k->id];
		if (pos->line) {
			mf_err(ps, ps->line, col, ps->vm, ps->section, k->field,
			       "given twice (first at line %u)", pos->line);
			return;
		}
		pos->line = ps->line;
		pos->col = col;
	}
	if (ps->p >= ps->le || *ps->p != '=') {
		PERR(ps, k ? k->field : NULL, "expected '=' after the key \"%.*s\"",
		     len > 32 ? 32 : (int)len, key);
		return;
	}
	ps->p++;
	if (ps->section == SEC_SKIP)
		return;
	if (ps->section == SEC_NONE) {
		mf_err(ps, ps->line, col, -1, SEC_NONE, NULL,
		       "key \"%.*s\" outside any table (start with [host] or [[vm]])",
		       len > 32 ? 32 : (int)len, key);
		return;
	}
	if (ps->section == SEC_MODULES) {
		parse_module(ps, key, len, col);
		return;
	}
	if (!k) {
		unknown_key(ps, key, len, col);
		return;
	}
	if (!mf_lex_value(ps, &v, k->field, k->type == MT_BOOL) || !trailing_ok(ps, k->field))
		return;
	pos->col = v.col;
	mf_set_value(ps, k, &v);
}

/*
 * A line after an unclosed array or multi-line string belongs to it: skip up
 * to and including the line that closes it; a line starting with '[' that is
 * a table header ends the skipping early and is parsed as usual.
 */
static bool continuation(struct mf_parser *ps)
{
	const char *c = ps->ls;

	while (c < ps->le && (*c == ' ' || *c == '\t'))
		c++;
	if (ps->cont == ']' && c < ps->le && *c == '[' && memchr(c, '=', (size_t)(ps->le - c)) == NULL) {
		ps->cont = 0;
		return false;
	}
	if (ps->cont == ']' ? memchr(ps->ls, ']', (size_t)(ps->le - ps->ls)) != NULL
			    : mf_find3(ps->ls, ps->le, ps->cont))
		ps->cont = 0;
	return true;
}

static void parse_line(struct mf_parser *ps)
{
	if (ps->cont && continuation(ps))
		return;
	for (const char *c = ps->ls; c < ps->le; c++) {
		unsigned char b = (unsigned char)*c;
		if ((b < 0x20 && b != '\t') || b == 0x7f) {
			ps->p = c;
			PERR(ps, NULL, "control character 0x%x in the manifest", b);
			return;
		}
	}
	if (mf_at_end(ps))
		return;
	if (*ps->p == '[')
		parse_header(ps);
	else
		parse_keyval(ps);
}

void mf_parse(struct mf_parser *ps)
{
	const char *p = ps->text, *end = ps->text + ps->len;

	ps->line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		ps->line++;
		ps->ls = ps->p = p;
		ps->le = le;
		if (le > p && le[-1] == '\r')
			ps->le--;
		if ((size_t)(ps->le - p) > MANIFEST_MAX_LINE) {
			ps->p = p + MANIFEST_MAX_LINE;
			PERR(ps, NULL, "line is longer than %u bytes", MANIFEST_MAX_LINE);
		} else {
			parse_line(ps);
		}
		p = nl ? nl + 1 : end;
	}
}
