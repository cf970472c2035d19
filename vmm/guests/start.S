/* SPDX-License-Identifier: MIT */
/*
 * The entry of every guest program. gmem-vm starts each vCPU here in flat
 * 32-bit protected mode with the boot registers of ../abi.h; this gives
 * the vCPU its own stack, stores the registers on it as a struct
 * gvm_entry (machine.h), and calls gvm_start(), which never returns.
 */
#include "../abi.h"

	.code32
	.section .text.start, "ax"
	.globl _start
_start:
	/* %esp = GVM_STACK_TOP - vCPU * GVM_STACK_SIZE, every register kept */
	imul	$GVM_STACK_SIZE, %ebx, %esp
	neg	%esp
	add	$GVM_STACK_TOP, %esp
	push	%ebp		/* the program's argument */
	push	%edi		/* VM type */
	push	%esi		/* hypercall transport */
	push	%edx		/* RAM size */
	push	%ecx		/* number of vCPUs */
	push	%ebx		/* this vCPU */
	push	%eax		/* boot magic */
	push	%esp		/* the struct gvm_entry just built */
	call	gvm_start
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
