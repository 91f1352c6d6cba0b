{#-
    The export's own status words (docs/rules.md, status words): the var raw_status_map maps a
    file's status values (compared trimmed and lower-cased) to the contract's. The contract's
    own words are always accepted as they are; any other value stays unmapped and is rejected
    as invalid_value by base_shop__orders, its detail naming the value and the var.
-#}
{% macro contract_statuses() %}
    {{ return(['completed', 'returned', 'cancelled', 'refunded']) }}
{% endmacro %}


{#- The var raw_status_map as a dict of lower-cased words; a target outside the contract stops the build. -#}
{% macro raw_status_map() %}
    {%- set mapping = var('raw_status_map', none) or {} -%}
    {%- if mapping is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "raw_status_map must map the export's status words to " ~ contract_statuses() | join(", ")
            ~ ", e.g. {delivered: completed, canceled: cancelled}") }}
    {%- endif -%}
    {%- set lowered = {} -%}
    {%- for word, status in mapping.items() -%}
        {%- if (status | string | lower | trim) not in contract_statuses() -%}
            {{ exceptions.raise_compiler_error(
                "raw_status_map maps '" ~ word ~ "' to '" ~ status ~ "'; a status must be one of "
                ~ contract_statuses() | join(", ")) }}
        {%- endif -%}
        {%- do lowered.update({word | string | lower | trim: status | string | lower | trim}) -%}
    {%- endfor -%}
    {{ return(lowered) }}
{% endmacro %}


{#- A lower-cased status text as the contract's word, null when it is neither one nor mapped. -#}
{% macro mapped_status(expression) -%}
    case
        when {{ expression }} in ('{{ contract_statuses() | join("', '") }}') then {{ expression }}
        {%- for word, status in raw_status_map().items() %}
        when {{ expression }} = '{{ word | replace("'", "''") }}' then '{{ status }}'
        {%- endfor %}
    end
{%- endmacro %}
