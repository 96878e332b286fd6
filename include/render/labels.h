/* Vietnamese column titles for exports. */
#ifndef THIDUA_RENDER_LABELS_H
#define THIDUA_RENDER_LABELS_H

/* The title for a column name (the name itself when the dictionary has
 * none). */
const char *render_label(const char *column);

#endif
