/* `thidua routes` (see routes.h). */
#include "cli/routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/params.h"

static const char *const in_names[] = {[IN_PATH] = "path", [IN_QUERY] = "query", [IN_BODY] = "body"};

static json_t *param_json(const struct param_spec *s)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:b}", "name", s->name, "in", in_names[s->in], "type",
	                      params_type_name(s->type), "required", (s->flags & P_REQUIRED) != 0);
	if (s->type == PT_INT) {
		json_object_set_new(p, "minimum", json_integer(s->min));
		json_object_set_new(p, "maximum", json_integer(s->max));
	}
	if (s->type == PT_TEXT)
		json_object_set_new(p, "max_length", json_integer(s->max));
	if (s->choices) {
		json_t *c = json_array();
		for (const char *const *v = s->choices; *v; v++)
			json_array_append_new(c, json_string(*v));
		json_object_set_new(p, "enum", c);
	}
	if (s->flags & P_NULLABLE)
		json_object_set_new(p, "nullable", json_true());
	if (s->def)
		json_object_set_new(p, "default", json_string(s->def));
	return p;
}

int routes_main(const struct route *routes, size_t n)
{
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *params = json_array();
		for (const struct param_spec *s = routes[i].params; s && s->name; s++)
			json_array_append_new(params, param_json(s));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b, s:s, s:o}", "method",
		                                     http_method_name(routes[i].method), "path", routes[i].pattern, "role",
		                                     role_name(routes[i].role), "cached", (routes[i].flags & ROUTE_CACHED) != 0,
		                                     "summary", routes[i].summary, "parameters", params));
	}
	char *text = json_dumps(out, JSON_INDENT(2));
	json_decref(out);
	puts(text);
	free(text);
	return 0;
}
