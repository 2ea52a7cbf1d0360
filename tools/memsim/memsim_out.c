/* ditto-memsim output: the text table, --json and the --svg plot. */
#include <stdlib.h>
#include "tools/memsim/memsim.h"

void ms_print_table(FILE *f, const struct ms_result *r, uint32_t n)
{
	fprintf(f, "\nMemory saved, %% of guest memory (trust groups: %s)\n",
		n && r[0].one_group ? "one for all" : "one per image");
	fprintf(f, "| set | pages | zero | shared | patched | compressed | "
		   "**total** | net of metadata | exact sharing only | upper bound "
		   "| total / bound | total / sharing |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct ms_result *x = &r[i];
		fprintf(f, "| %s | %llu | %.2f | %.2f | %.2f | %.2f | **%.2f** | "
			   "%.2f | %.2f | %.2f | %.1f%% | %.2fx |\n",
			x->name, (unsigned long long)x->pages, x->full.zero,
			x->full.shared, x->full.patched, x->full.compressed,
			x->full.total, x->net_total, x->ksm.total, x->bound.total,
			x->bound.total > 0 ? 100 * x->full.total / x->bound.total : 0,
			x->ksm.total > 0 ? x->full.total / x->ksm.total : 0);
	}
	fprintf(f, "\nScan throughput per core (thread CPU time), metadata\n");
	fprintf(f, "| set | pass 1 (hash+share+index) | passes 2-3 (patch+compress) "
		   "| later passes | whole run | metadata B/page |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct ms_result *x = &r[i];
		fprintf(f, "| %s | %.0f MB/s (%.0f kpages/s) | %.0f MB/s (%.0f "
			   "kpages/s) | %.0f MB/s | %.0f MB/s | %.1f |\n",
			x->name, x->pass1_mbps, x->pass1_pps / 1e3, x->reduce_mbps,
			x->reduce_pps / 1e3, x->steady_mbps, x->all_mbps,
			x->meta_per_page);
	}
	fprintf(f, "\nFault-in (read) latency, p50 / p99 us (samples; samples "
		   "during which the host switched threads are dropped: ");
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)r[i].lat_dropped);
	fprintf(f, ")\n");
	fprintf(f, "| set | patched (all) | ... reference full | ... reference "
		   "compressed | xdelta3 patches | cold shared (mirror) | "
		   "compressed |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct ms_result *x = &r[i];
		const struct ms_lat *l[] = { &x->lat_patched, &x->lat_patched_fullref,
					     &x->lat_patched_compref, &x->lat_xd3,
					     &x->lat_mirror, &x->lat_compressed };
		fprintf(f, "| %s", x->name);
		for (int k = 0; k < 6; k++)
			fprintf(f, " | %.2f / %.2f (%llu)", l[k]->p50, l[k]->p99,
				(unsigned long long)l[k]->n);
		fprintf(f, " |\n");
	}
	fprintf(f, "\nEngine state at the end of the scan\n");
	fprintf(f, "| set | private | zero | shared | patched (xor/xd3/mirror) | "
		   "compressed | sframes (compressed) | merges | hash hits failing "
		   "compare | writes | mismatches |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct mme_stats *s = &r[i].st;
		fprintf(f, "| %s | %llu | %llu | %llu | %llu (%llu/%llu/%llu) | %llu "
			   "| %llu (%llu) | %llu | %llu | %llu | %llu |\n",
			r[i].name, (unsigned long long)s->state_pages[MME_PRIVATE],
			(unsigned long long)s->state_pages[MME_ZERO],
			(unsigned long long)s->state_pages[MME_SHARED],
			(unsigned long long)s->state_pages[MME_PATCHED],
			(unsigned long long)s->patches_xor,
			(unsigned long long)s->patches_xd3,
			(unsigned long long)s->patches_empty,
			(unsigned long long)s->state_pages[MME_COMPRESSED],
			(unsigned long long)s->sframes,
			(unsigned long long)(s->sframes - s->sframes_full),
			(unsigned long long)s->merges,
			(unsigned long long)s->hash_collisions,
			(unsigned long long)r[i].writes,
			(unsigned long long)r[i].mismatches);
	}
}

static void json_saved(FILE *f, const char *k, const struct ms_saved *s)
{
	fprintf(f, "\"%s\": {\"zero\": %.4f, \"shared\": %.4f, \"patched\": %.4f, "
		   "\"compressed\": %.4f, \"total\": %.4f}",
		k, s->zero, s->shared, s->patched, s->compressed, s->total);
}

static void json_lat(FILE *f, const char *k, const struct ms_lat *l)
{
	fprintf(f, "\"%s\": {\"n\": %llu, \"p50_us\": %.3f, \"p99_us\": %.3f, "
		   "\"max_us\": %.3f}",
		k, (unsigned long long)l->n, l->p50, l->p99, l->max);
}

void ms_print_json(FILE *f, const struct ms_result *r, uint32_t n)
{
	fprintf(f, "[\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct ms_result *x = &r[i];
		fprintf(f, " {\"set\": \"%s\", \"images\": %u, \"pages\": %llu, "
			   "\"one_group\": %s,\n  ",
			x->name, x->nimages, (unsigned long long)x->pages,
			x->one_group ? "true" : "false");
		json_saved(f, "saved_pct", &x->full);
		fprintf(f, ",\n  ");
		json_saved(f, "exact_sharing_only_pct", &x->ksm);
		fprintf(f, ",\n  ");
		json_saved(f, "upper_bound_pct", &x->bound);
		fprintf(f, ",\n  \"net_of_metadata_pct\": %.4f, "
			   "\"metadata_bytes_per_page\": %.2f,\n",
			x->net_total, x->meta_per_page);
		fprintf(f, "  \"scan_mbps_per_core\": {\"pass1\": %.1f, "
			   "\"reduce\": %.1f, \"steady\": %.1f, \"all\": %.1f},\n  ",
			x->pass1_mbps, x->reduce_mbps, x->steady_mbps, x->all_mbps);
		json_lat(f, "fault_patched", &x->lat_patched);
		fprintf(f, ", ");
		json_lat(f, "fault_compressed", &x->lat_compressed);
		fprintf(f, ", ");
		json_lat(f, "fault_xdelta3", &x->lat_xd3);
		fprintf(f, ", ");
		json_lat(f, "fault_patched_full_ref", &x->lat_patched_fullref);
		fprintf(f, ", ");
		json_lat(f, "fault_patched_compressed_ref", &x->lat_patched_compref);
		fprintf(f, ", ");
		json_lat(f, "fault_cold_shared", &x->lat_mirror);
		fprintf(f, ",\n  \"fault_samples_dropped\": %llu",
			(unsigned long long)x->lat_dropped);
		fprintf(f, ",\n  \"writes\": %llu, \"mismatches\": %llu}%s\n",
			(unsigned long long)x->writes,
			(unsigned long long)x->mismatches, i + 1 < n ? "," : "");
	}
	fprintf(f, "]\n");
}

/*
 * Horizontal stacked bars, one per set: zero / shared / patched /
 * compressed, with ticks for exact sharing only and the upper bound.
 */
void ms_write_svg(const char *path, const struct ms_result *r, uint32_t n)
{
	static const char *col[] = { "#9e9e9e", "#4e79a7", "#f28e2b", "#59a14f" };
	static const char *lab[] = { "zero", "shared", "patched", "compressed" };
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	const int x0 = 170, w = 560, bh = 26, gap = 18, top = 60;
	int h = top + (int)n * (bh + gap) + 70;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		x0 + w + 40, h);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"10\" y=\"22\" font-size=\"15\">Ditto memory engine "
		   "(ditto-memsim): memory saved by mechanism, %% of guest "
		   "memory</text>\n");
	for (int p = 0; p <= 100; p += 20) {
		double x = x0 + w * p / 100.0;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" "
			   "text-anchor=\"middle\">%d%%</text>\n",
			x, top - 8, x, top + (int)n * (bh + gap), x,
			top + (int)n * (bh + gap) + 14, p);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ms_result *x = &r[i];
		double v[4] = { x->full.zero, x->full.shared, x->full.patched,
				x->full.compressed };
		int y = top + (int)i * (bh + gap);
		double cx = x0;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
			x0 - 8, y + bh / 2 + 4, x->name);
		for (int k = 0; k < 4; k++) {
			double bw = v[k] > 0 ? w * v[k] / 100.0 : 0;
			fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				   "height=\"%d\" fill=\"%s\"><title>%s %.2f%%</title>"
				   "</rect>\n",
				cx, y, bw, bh, col[k], lab[k], v[k]);
			cx += bw;
		}
		double xk = x0 + w * x->ksm.total / 100.0;
		double xb = x0 + w * x->bound.total / 100.0;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "stroke=\"black\" stroke-width=\"2\" "
			   "stroke-dasharray=\"3,2\"/>\n",
			xk, y - 4, xk, y + bh + 4);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			   "stroke=\"#c00\" stroke-width=\"2\"/>\n",
			xb, y - 4, xb, y + bh + 4);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%.1f%%</text>\n", cx + 4,
			y + bh / 2 + 4, x->full.total);
	}
	int ly = h - 28;
	for (int k = 0; k < 4; k++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
			   "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
			10 + k * 105, ly, col[k], 26 + k * 105, ly + 11, lab[k]);
	fprintf(f, "<line x1=\"440\" y1=\"%d\" x2=\"440\" y2=\"%d\" stroke=\"black\" "
		   "stroke-width=\"2\" stroke-dasharray=\"3,2\"/><text x=\"446\" "
		   "y=\"%d\">exact sharing only</text>\n", ly, ly + 12, ly + 11);
	fprintf(f, "<line x1=\"580\" y1=\"%d\" x2=\"580\" y2=\"%d\" stroke=\"#c00\" "
		   "stroke-width=\"2\"/><text x=\"586\" y=\"%d\">upper bound</text>\n",
		ly, ly + 12, ly + 11);
	fprintf(f, "</svg>\n");
	fclose(f);
}
