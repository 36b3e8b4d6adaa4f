#ifndef CJKSEARCH_CEDITLINE_SHIM_H
#define CJKSEARCH_CEDITLINE_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#endif
